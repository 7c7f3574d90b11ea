import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __testServices?: { temporal: { stop(): Promise<void> }; postgres: { stop?: () => Promise<void> }; workDir: string } })
    .__testServices;
  if (!services) return;
  await services.temporal.stop();
  await services.postgres.stop?.();
  await rm(services.workDir, { recursive: true, force: true });
}
