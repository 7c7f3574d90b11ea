# The service's image: the same compiled code runs the API, the worker, migrations and the
# search-attribute registration; docker-compose.yml picks the command.
FROM node:20-slim

RUN mkdir /app && chown node:node /app
USER node
WORKDIR /app

# Dependencies first, so editing source does not reinstall them. Installing generates the Prisma
# client (the package's install hook), so the schema and the generator come in this layer too:
# only dependency or schema changes rebuild it.
COPY --chown=node:node package.json package-lock.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node tools/prisma ./tools/prisma
RUN npm ci && npm cache clean --force

COPY --chown=node:node . .
# The production build: JavaScript in dist/ and the worker's workflow bundle, made once here so
# no container runs webpack or tsx at start.
RUN npm run build

CMD ["node", "dist/api/server.js"]
