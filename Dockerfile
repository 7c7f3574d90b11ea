# The service's image: the same source runs the API, the worker, migrations and the
# search-attribute registration; docker-compose.yml picks the command.
FROM node:20-slim

RUN mkdir /app && chown node:node /app
USER node
WORKDIR /app

# Dependencies first, so editing source does not reinstall them.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci && npm cache clean --force

# The Prisma client is generated from the schema alone; keeping this layer apart from the rest of
# the source means only schema changes regenerate it.
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node prisma.config.ts ./
COPY --chown=node:node tools/prisma-generate.ts ./tools/prisma-generate.ts
RUN npm run db:generate

COPY --chown=node:node . .

CMD ["npx", "tsx", "api/server.ts"]
