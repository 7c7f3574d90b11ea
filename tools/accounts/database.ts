import { createPrismaClient, type PrismaClient } from '../../db/client';
import { readRuntimeAddresses } from '../launcher/runtime-file';

/** The service database for the account commands: DATABASE_URL, or the one `npm start` last ran. */
export function accountsDatabase(): PrismaClient {
  const url = process.env.DATABASE_URL ?? readRuntimeAddresses()?.databaseUrl;
  if (!url) throw new Error('DATABASE_URL is not set and `npm start` has not run here: point DATABASE_URL at the service database (postgresql://…).');
  return createPrismaClient(url, { max: 1 });
}

/** A whole number given as a command-line value, or a clear error naming the option. */
export function wholeNumber(option: string, value: string | undefined, { min }: { min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`--${option} takes a whole number, got "${value}".`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2_147_483_647) throw new Error(`--${option} is out of range: ${value}.`);
  if (min !== undefined && n < min) throw new Error(`--${option} must be at least ${min}, got ${n}.`);
  return n;
}

export function runCommand(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
