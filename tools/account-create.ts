import { parseArgs } from 'node:util';
import { createPrismaClient } from '../db/client';
import { createAccount } from '../api/services/accounts';

/**
 * `npm run account:create -- --name NAME`: prints `{"account_id": …, "api_key": "…"}` once.
 * The key is not stored in clear anywhere: keep it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: 'string' } } });
  const name = values.name?.trim();
  if (!name) throw new Error('Give the account a name: npm run account:create -- --name "Acme"');
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: point it at the service database (postgresql://…).');
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
