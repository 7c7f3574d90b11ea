/** `npm run db:generate`: generates the Prisma client into generated/prisma (arguments go to `prisma generate`). */
import { generatePrismaClient } from './generate';

try {
  generatePrismaClient({ extraArgs: process.argv.slice(2) });
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
