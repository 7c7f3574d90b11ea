import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection from here (for `prisma migrate deploy` on machines with Prisma's
// schema engine); the service itself connects through @prisma/adapter-pg (db/client.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
