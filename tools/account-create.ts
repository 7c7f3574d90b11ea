import { parseArgs } from 'node:util';
import { createPrismaClient } from '../db/client';
import { createAccount } from '../api/services/accounts';
import { readRuntimeAddresses } from './launcher/runtime-file';

/**
 * `npm run account:create -- --name NAME`: prints `{"account_id": …, "api_key": "…"}` once.
 * The key is not stored in clear anywhere: keep it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: 'string' } } });
  const name = values.name?.trim();
  if (!name) throw new Error('Give the account a name: npm run account:create -- --name "Acme"');
  // Without DATABASE_URL, the database `npm start` runs (embedded by default).
  const url = process.env.DATABASE_URL ?? readRuntimeAddresses()?.databaseUrl;
  if (!url) throw new Error('DATABASE_URL is not set and `npm start` has not run here: point DATABASE_URL at the service database (postgresql://…).');
  const prisma = createPrismaClient(url, { max: 1 });
  try {
    const account = await createAccount(prisma, name);
    console.log(JSON.stringify({ account_id: account.accountId, api_key: account.apiKey }));
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
