import { startDemoProvider } from './server';

/**
 * `npm run demo-provider`: the bundled provider on its own, for the demo and for pointing a service's
 * IntegrationSettings `baseUrl` at. PORT and HOST choose the address (default 127.0.0.1:8089);
 * PUBLIC_URL sets the base of image URLs when clients reach it by another name.
 */
async function main(): Promise<void> {
  const provider = await startDemoProvider({
    port: Number(process.env.PORT ?? 8089),
    host: process.env.HOST ?? '127.0.0.1',
    publicUrl: process.env.PUBLIC_URL || undefined,
    quiet: process.env.DEMO_PROVIDER_QUIET === '1',
  });
  const stop = () => {
    provider.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Listening for signals before announcing the URL: whoever reads the line may stop us at once.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`Demo provider listening on ${provider.url} (OpenAI base URL ${provider.url}/v1)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo provider failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
