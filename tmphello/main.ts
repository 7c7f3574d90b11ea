import { Worker, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: '127.0.0.1:7299' });
  const worker = await Worker.create({ connection, taskQueue: 'hello', workflowsPath: require.resolve('./wf'), activities: { noop: async () => 1 }, ...(process.env.OPTS ? JSON.parse(process.env.OPTS) : {}) });
  const run = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: '127.0.0.1:7299' }) });
  let id = '';
  for (const n of [6,6,6,6,6]) {
    const t = Date.now(); id = 'h-' + Math.random();
    await client.workflow.execute('hello', { taskQueue: 'hello', workflowId: id, args: [n] });
    console.log(n, 'activities:', Date.now() - t, 'ms');
  }
  const h = await client.workflow.getHandle(id).fetchHistory();
  let prev = 0; const out: string[] = [];
  for (const e of h.events!) { const t = Number(e.eventTime!.seconds) * 1000 + Math.round((e.eventTime!.nanos ?? 0) / 1e6); out.push(`${e.eventType}:${prev ? t - prev : 0}`); prev = t; }
  console.log(out.join(' '));
  worker.shutdown(); await run;
}
main();
