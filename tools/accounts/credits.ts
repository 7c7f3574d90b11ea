import { parseArgs } from 'node:util';
import { creditState, grantCredits } from '../../activities/credits';
import { accountsDatabase, runCommand, wholeNumber } from './database';

/**
 * `npm run account:credits -- --account ID (--add N | --set N)`: changes an account's credits (a
 * `grant` movement of the ledger; N may be negative) and prints one JSON line
 * `{"account_id", "balance", "reserved", "available"}`. Without --add or --set it only prints.
 */
runCommand(async () => {
  const { values } = parseArgs({ args: negativeValuesJoined(process.argv.slice(2)), options: { account: { type: 'string' }, add: { type: 'string' }, set: { type: 'string' } } });
  const accountId = wholeNumber('account', values.account, { min: 1 });
  if (accountId === undefined) throw new Error('Name the account: npm run account:credits -- --account 2 --add 500');
  const add = wholeNumber('add', values.add);
  const set = wholeNumber('set', values.set, { min: 0 });
  if (add !== undefined && set !== undefined) throw new Error('Give --add or --set, not both.');
  const prisma = accountsDatabase();
  try {
    if (!(await prisma.account.findUnique({ where: { id: accountId }, select: { id: true } }))) throw new Error(`Account ${accountId} does not exist.`);
    let change = add ?? 0;
    if (set !== undefined) change = set - (await creditState(prisma, accountId)).balance;
    const state = change !== 0 ? await grantCredits(prisma, accountId, change, set !== undefined ? `set to ${set}` : `added ${add}`) : await creditState(prisma, accountId);
    console.log(JSON.stringify({ account_id: accountId, ...state }));
  } finally {
    await prisma.$disconnect();
  }
});

/** `--add -4` reads as an option named 4 to the argument parser: `--add=-4` is what it means. */
function negativeValuesJoined(args: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '--add' || args[i] === '--set') && /^-\d+$/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  return joined;
}
