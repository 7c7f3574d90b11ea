import { parseArgs } from 'node:util';
import { createAccount, DEFAULT_START_CREDITS } from '../../api/services/accounts';
import { accountsDatabase, runCommand, wholeNumber } from './database';

/**
 * `npm run account:create -- --name NAME [--credits N] [--max-concurrency N]`: prints
 * `{"account_id": …, "api_key": "…", "credits": …}` once. The key is not stored in clear anywhere:
 * keep it. A new account starts with ACCOUNT_START_CREDITS (1000) unless --credits says otherwise.
 */
runCommand(async () => {
  const { values } = parseArgs({ options: { name: { type: 'string' }, credits: { type: 'string' }, 'max-concurrency': { type: 'string' } } });
  const name = values.name?.trim();
  if (!name) throw new Error('Give the account a name: npm run account:create -- --name "Acme"');
  const credits =
    wholeNumber('credits', values.credits, { min: 0 }) ??
    wholeNumber('credits (ACCOUNT_START_CREDITS)', process.env.ACCOUNT_START_CREDITS, { min: 0 }) ??
    DEFAULT_START_CREDITS;
  const maxConcurrentAiCalls = wholeNumber('max-concurrency', values['max-concurrency'], { min: 1 });
  const prisma = accountsDatabase();
  try {
    const account = await createAccount(prisma, name, { credits, maxConcurrentAiCalls });
    console.log(JSON.stringify({ account_id: account.accountId, api_key: account.apiKey, credits }));
  } finally {
    await prisma.$disconnect();
  }
});
