import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from '@temporalio/worker';
import { TRACE_HEADER as PACKAGE_TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { startTestStack, apiClient, requiredEnv, type TestAccount, type TestStack } from './support/stack';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { appendSuiteLog } from './support/suite-log';
import { stopWithThisProcess } from '../tools/temporal-cli/stop-with-process';
import { UNTRACED_WORKFLOW_SINKS } from '../tracing';
import { readTracingConfig } from '../tracing/config';
import { TRACE_HEADER } from '../tracing/workflow-interceptors';

const projectRoot = path.resolve(__dirname, '..');
const START_ROUTE = '/api/v1/planner/keywords/auto_cluster/';
/** Measured tasks per configuration, after one that warms the processes up. */
const MEASURED_TASKS = 5;

/** The worker process as production runs it (worker/main.ts), on its own task queue. */
interface WorkerMainProcess {
  stop(): Promise<void>;
}

async function startWorkerMain(stack: TestStack, taskQueue: string, env: Record<string, string>): Promise<WorkerMainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker/main.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutOtel(process.env),
      DATABASE_URL: stack.databaseUrl,
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: requiredEnv('TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: requiredEnv('TEST_WORKFLOW_BUNDLE'),
      AI_PROVIDER_ALLOWED_HOSTS: new URL(stack.provider.url).host,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const untie = stopWithThisProcess(child);
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        appendSuiteLog(`[worker/main.ts ${taskQueue}] ${line}`);
        lines.push(line);
        if (line.startsWith('Worker polling task queue')) resolve();
      });
    }
    void exited.then(() => reject(new Error(`worker/main.ts exited before polling:\n${lines.join('\n')}`)));
  });
  await ready;
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
      untie();
    },
  };
}

function withoutOtel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OTEL_')));
}

/** A task started through an API process and run by its worker process. */
interface TaskRun {
  taskId: string;
  /** The start request's round trip through the API process. */
  startMs: number;
  /** From the workflow's start to its close, as Temporal recorded them. */
  workflowMs: number;
}

/** An API process and a worker process (the entry points production runs) sharing a task queue. */
interface ProcessPair {
  api: TestStack['api'];
  stop(): Promise<void>;
}

async function startProcessPair(stack: TestStack, env: { api: Record<string, string>; worker: Record<string, string> }): Promise<ProcessPair> {
  const taskQueue = `tracing-${randomUUID()}`;
  const worker = await startWorkerMain(stack, taskQueue, env.worker);
  let api: ApiProcess;
  try {
    api = await startApiProcess(stack, { ...env.api, TEMPORAL_TASK_QUEUE: taskQueue });
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return {
    api: apiClient(api.baseUrl),
    // Stopping flushes what each process still buffers.
    stop: async () => {
      await api.stop();
      await worker.stop();
    },
  };
}

let keywordSet = 0;

/** One clustering task of three new keywords, started through `pair`'s API and waited for. */
async function clusterKeywords(stack: TestStack, account: TestAccount, pair: ProcessPair, watch?: (taskId: string) => Promise<void>): Promise<TaskRun> {
  const set = ++keywordSet;
  const keywords = ['trail running shoes', 'running plan for beginners', 'marathon training schedule'].map((k, n) => ({
    keyword: `${k} ${set}`,
    volume: 1000 + n,
    difficulty: 30,
    intent: 'informational',
  }));
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords } });
  expect(created.status).toBe(200);
  const sent = performance.now();
  const started = await pair.api('POST', START_ROUTE, { key: account.apiKey, body: { ids: created.body.ids } });
  const startMs = performance.now() - sent;
  expect(started.status).toBe(200);
  const taskId: string = started.body.task_id;
  await watch?.(taskId);
  const seen = await stack.waitForTask(account, taskId);
  expect(seen[seen.length - 1].state).toBe('SUCCESS');
  // The progress answer can say SUCCESS a moment before the run closes in Temporal.
  const handle = stack.temporal.workflow.getHandle(taskId);
  await handle.result();
  const description = await handle.describe();
  return { taskId, startMs, workflowMs: description.closeTime!.getTime() - description.startTime.getTime() };
}

/** One image drawn (generate_images of one image row) through `pair`'s API; its task id. */
async function drawImage(stack: TestStack, account: TestAccount, pair: ProcessPair): Promise<string> {
  const image = await imageRow(stack, account);
  const started = await pair.api('POST', '/api/v1/writer/images/generate_images/', { key: account.apiKey, body: { ids: [image.id] } });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(account, started.body.task_id);
  expect(seen[seen.length - 1].state).toBe('SUCCESS');
  return started.body.task_id;
}

const PROGRESS_ROUTE = '/api/v1/system/settings/task_progress/:task_id/';
const STREAM_ROUTE = '/api/v1/system/settings/task_progress/:task_id/stream/';

/** The spans that open a trace. */
const rootsOf = (spans: ReceivedSpan[]) => spans.filter((s) => !s.parentSpanId);

/** An article's image row with its prompt, written directly: generate_images starts from there. */
async function imageRow(stack: TestStack, account: TestAccount) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId } });
  const place = { accountId: account.accountId, siteId: sector.siteId, sectorId: sector.id };
  const task = await stack.prisma.writerTask.create({ data: { ...place, title: 'Trail shoes', status: 'completed' } });
  const content = await stack.prisma.content.create({
    data: { ...place, taskId: task.id, title: 'Trail shoes', htmlContent: '<h2>Grip</h2>\n<p>What to know about grip.</p>', wordCount: 8 },
  });
  return stack.prisma.image.create({
    data: { accountId: account.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt: 'A trail runner on a rocky ridge at dawn' },
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function reportTimes(label: string, runs: TaskRun[]): { startMs: number; workflowMs: number } {
  const figures = { startMs: median(runs.map((r) => r.startMs)), workflowMs: median(runs.map((r) => r.workflowMs)) };
  process.stderr.write(
    `[tracing] ${label}: start request ${figures.startMs.toFixed(1)} ms, workflow ${figures.workflowMs.toFixed(0)} ms (median of ${runs.length}; ` +
      `workflow ${runs.map((r) => r.workflowMs).join(', ')} ms)\n`,
  );
  return figures;
}

async function headersOfRun(stack: TestStack, taskId: string): Promise<{ started: string[]; scheduled: string[][] }> {
  const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
  const events = history.events ?? [];
  const started = Object.keys(events[0].workflowExecutionStartedEventAttributes?.header?.fields ?? {});
  const scheduled = events
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => Object.keys(e.activityTaskScheduledEventAttributes!.header?.fields ?? {}));
  return { started, scheduled };
}

describe('tracing settings', () => {
  it('is off unless an OTLP endpoint is set, and names the variable it cannot honour', () => {
    expect(readTracingConfig('ai-task-api', {})).toBeUndefined();
    expect(readTracingConfig('ai-task-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(readTracingConfig('ai-task-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      serviceName: 'ai-task-api',
      protocol: 'http/protobuf',
      tracesUrl: 'http://collector:4318/v1/traces',
    });
    expect(
      readTracingConfig('ai-task-api', {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'api-eu',
      }),
    ).toEqual({ serviceName: 'api-eu', protocol: 'http/json', tracesUrl: 'http://collector:4318/custom/traces' });
    expect(() => readTracingConfig('ai-task-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/,
    );
    expect(() => readTracingConfig('ai-task-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });

  it('carries the context in the header the OpenTelemetry interceptors read', () => {
    expect(TRACE_HEADER).toBe(PACKAGE_TRACE_HEADER);
  });

  it('loads no OpenTelemetry module into an untraced API or worker', () => {
    const script = [
      "require('./api/app'); require('./worker/create-worker'); require('./temporal/client');",
      "const tracing = require('./tracing').startTracing('ai-task-api');",
      "const loaded = Object.keys(require.cache).filter((file) => file.includes('opentelemetry'));",
      'console.log(JSON.stringify({ tracing: tracing ?? null, loaded }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: projectRoot, env: withoutOtel(process.env), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ tracing: null, loaded: [] });
  });

  it('exports OTLP/HTTP protobuf unless told otherwise', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const script = [
        "const tracing = require('./tracing').startTracing('probe');",
        "require('@opentelemetry/api').trace.getTracer('probe').startSpan('probe').end();",
        'tracing.shutdown();',
      ].join('\n');
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
        cwd: projectRoot,
        env: { ...withoutOtel(process.env), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
        stdio: 'ignore',
      });
      await new Promise((resolve) => child.once('exit', resolve));
      expect(receiver.requests).toEqual([{ method: 'POST', path: '/v1/traces', contentType: 'application/x-protobuf' }]);
    } finally {
      await receiver.close();
    }
  });

  it('stops a process whose protocol it cannot speak, naming the variable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker/main.ts')], {
      cwd: projectRoot,
      env: { ...withoutOtel(process.env), DATABASE_URL: 'postgresql://unused', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (traces go over OTLP/HTTP), not 'grpc'");
  });
});

describe('one trace per task', () => {
  let stack: TestStack;
  let account: TestAccount;
  let receiver: OtlpReceiver;
  let traced: TaskRun[];
  let untraced: TaskRun[];
  let imageTaskId: string;
  /** A task whose progress was polled and streamed through the traced API. */
  let watched: TaskRun;
  /** The stream_url the traced API handed out, and what its stream answered. */
  let streamUrl: string;
  let streamStatus: number;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startTestStack();
    account = await stack.createAccount('Tracing');
    await stack.configureOpenAI(account);
    const images = await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', {
      key: account.apiKey,
      body: { config: { provider: 'openai', model: 'dall-e-3', size: '1024x1024', image_type: 'realistic', image_format: 'webp' }, is_active: true },
    });
    expect(images.status).toBe(200);
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' };
    // The API keeps its default service name; the worker is given one. The untraced pair has no OTEL_* at all.
    const tracedPair = await startProcessPair(stack, { api: otel, worker: { ...otel, OTEL_SERVICE_NAME: 'traced-worker' } });
    const untracedPair = await startProcessPair(stack, { api: {}, worker: {} });
    traced = [];
    untraced = [];
    try {
      // Turn about, so both see the same machine; the first of each warms its processes up.
      for (let i = 0; i < 1 + MEASURED_TASKS; i++) {
        traced.push(await clusterKeywords(stack, account, tracedPair));
        untraced.push(await clusterKeywords(stack, account, untracedPair));
      }
      imageTaskId = await drawImage(stack, account, tracedPair);
      // A task watched as the page does: one poll, then its live stream until it ends.
      stack.provider.enqueue({ delayMs: 1500 });
      watched = await clusterKeywords(stack, account, tracedPair, async (taskId) => {
        const progress = await tracedPair.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
        streamUrl = progress.body.stream_url;
        if (!streamUrl) throw new Error(`the task ended before its first poll: ${JSON.stringify(progress.body)}`);
        streamStatus = (await tracedPair.api('GET', streamUrl)).status;
      });
    } finally {
      await tracedPair.stop();
      await untracedPair.stop();
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const traceOf = (taskId: string): ReceivedSpan[] => {
    const start = receiver.spans.find((s) => s.name.startsWith('StartWorkflow:') && s.attributes.temporalWorkflowId === taskId);
    if (!start) throw new Error(`no StartWorkflow span for ${taskId}: ${receiver.spans.map((s) => s.name).join(', ')}`);
    return receiver.spans.filter((s) => s.traceId === start.traceId);
  };
  const one = (spans: ReceivedSpan[], name: string): ReceivedSpan => {
    const found = spans.filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`expected one '${name}' span, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
    return found[0];
  };

  it('exports OTLP/HTTP JSON from both processes', () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((r) => r.method === 'POST' && r.path === '/v1/traces' && r.contentType === 'application/json')).toBe(true);
    expect(new Set(receiver.spans.map((s) => s.service))).toEqual(new Set(['ai-task-api', 'traced-worker']));
  });

  it('gives every traced task exactly one trace, opened by the start route', () => {
    const starts = rootsOf(receiver.spans).filter((root) => root.name !== `GET ${PROGRESS_ROUTE}` && root.name !== `GET ${STREAM_ROUTE}`);
    expect(starts).toHaveLength(traced.length + 2);
    for (const taskId of [...traced.map((r) => r.taskId), watched.taskId, imageTaskId]) {
      const spans = traceOf(taskId);
      const route = taskId === imageTaskId ? '/api/v1/writer/images/generate_images/' : START_ROUTE;
      const roots = spans.filter((s) => !s.parentSpanId);
      expect(roots).toHaveLength(1);
      expect(roots[0]).toMatchObject({ name: `POST ${route}`, kind: OTLP_SPAN_KIND.server, service: 'ai-task-api' });
      expect(roots[0].attributes['http.route']).toBe(route);
      // Every span of the task shares the server span's trace id, and hangs from a span of it.
      const ids = new Set(spans.map((s) => s.spanId));
      for (const span of spans) {
        expect(span.traceId).toBe(roots[0].traceId);
        if (span.parentSpanId) expect(ids.has(span.parentSpanId)).toBe(true);
      }
    }
  });

  it('links the route, the start, the run, the activity and the provider call as parent and child', () => {
    const spans = traceOf(traced[0].taskId);
    const server = spans.find((s) => s.kind === OTLP_SPAN_KIND.server)!;
    const start = spans.find((s) => s.name.startsWith('StartWorkflow:'))!;
    const workflowType = start.name.slice('StartWorkflow:'.length);
    const run = one(spans, `RunWorkflow:${workflowType}`);
    const schedule = one(spans, 'StartActivity:requestCompletion');
    const activity = one(spans, 'RunActivity:requestCompletion');
    const call = one(spans, 'chat gpt-4o-mini');

    expect(start.parentSpanId).toBe(server.spanId);
    expect(start.service).toBe('ai-task-api');
    expect(run.parentSpanId).toBe(start.spanId);
    expect(run.service).toBe('traced-worker');
    expect(schedule.parentSpanId).toBe(run.spanId);
    expect(activity.parentSpanId).toBe(schedule.spanId);
    expect(activity.attributes.temporalWorkflowId).toBe(traced[0].taskId);
    expect(call.parentSpanId).toBe(activity.spanId);
    expect(call.kind).toBe(OTLP_SPAN_KIND.client);

    // The run's other steps (local activities included) are activities of the same run.
    const activities = spans.filter((s) => s.name.startsWith('RunActivity:'));
    expect(activities.length).toBeGreaterThan(1);
    for (const step of activities) expect(spans.find((s) => s.spanId === step.parentSpanId)?.name).toMatch(/^StartActivity:/);

    // PostgreSQL queries sit under the route in the API and under the activities in the worker.
    const queries = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    const parentOf = (s: ReceivedSpan) => spans.find((p) => p.spanId === s.parentSpanId)!;
    expect(queries.some((q) => q.service === 'ai-task-api' && parentOf(q).spanId === server.spanId)).toBe(true);
    expect(queries.some((q) => q.service === 'traced-worker' && parentOf(q).spanId === activity.spanId)).toBe(true);
    expect(queries.filter((q) => q.service === 'traced-worker').every((q) => parentOf(q).name.startsWith('RunActivity:') || parentOf(q) === call)).toBe(true);
  });

  it("describes the provider call by the GenAI conventions, with the task's id and cost", async () => {
    for (const run of traced) {
      const call = one(traceOf(run.taskId), 'chat gpt-4o-mini');
      const [request] = await stack.prisma.aIRequest.findMany({ where: { taskId: run.taskId } });
      expect(request.inputTokens).toBeGreaterThan(0);
      expect(call.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': request.inputTokens,
        'gen_ai.usage.output_tokens': request.outputTokens,
        'ai_task.cost_usd': request.cost,
        'ai_task.id': run.taskId,
      });
    }
  });

  it('describes an image call the same way, under its activity', async () => {
    const spans = traceOf(imageTaskId);
    const call = one(spans, 'image_generation dall-e-3');
    expect(spans.find((s) => s.spanId === call.parentSpanId)?.name).toBe('RunActivity:requestImage');
    const [image] = await stack.prisma.image.findMany({ where: { accountId: account.accountId } });
    expect(image.cost).toBeGreaterThan(0);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'dall-e-3',
      'ai_task.cost_usd': image.cost,
      'ai_task.id': imageTaskId,
    });
  });

  it('carries the trace context in the traced runs\' headers only', async () => {
    const tracedHeaders = await headersOfRun(stack, traced[0].taskId);
    expect(tracedHeaders.started).toContain(TRACE_HEADER);
    expect(tracedHeaders.scheduled.length).toBeGreaterThan(0);
    for (const headers of tracedHeaders.scheduled) expect(headers).toContain(TRACE_HEADER);

    const untracedHeaders = await headersOfRun(stack, untraced[0].taskId);
    expect(untracedHeaders.started).toEqual([]);
    for (const headers of untracedHeaders.scheduled) expect(headers).toEqual([]);
  });

  it("replays a traced run's history against the workflow bundle", async () => {
    for (const taskId of [traced[0].taskId, imageTaskId]) {
      const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: { codePath: requiredEnv('TEST_WORKFLOW_BUNDLE') }, sinks: UNTRACED_WORKFLOW_SINKS, replayName: taskId }, history, taskId);
    }
  });

  it('keeps the stream token out of the stream request\'s span', () => {
    expect(streamStatus).toBe(200);
    const token = new URL(streamUrl, 'http://api').searchParams.get('token')!;
    expect(token.length).toBeGreaterThan(10);
    const stream = one(receiver.spans, `GET ${STREAM_ROUTE}`);
    expect(stream.attributes['http.target']).toMatch(/\?token=REDACTED$/);
    expect(JSON.stringify(receiver.spans)).not.toContain(token);
  });

  it('exports nothing at all from untraced processes', () => {
    // A trace per traced task, the poll and the stream: none is an untraced task's.
    expect(rootsOf(receiver.spans)).toHaveLength(traced.length + 4);
    for (const run of untraced) expect(receiver.spans.some((s) => s.attributes.temporalWorkflowId === run.taskId || s.attributes['ai_task.id'] === run.taskId)).toBe(false);
  });

  it('measures what tracing costs a task', () => {
    const on = reportTimes('tracing on ', traced.slice(1));
    const off = reportTimes('tracing off', untraced.slice(1));
    expect(on.workflowMs).toBeGreaterThan(0);
    expect(off.workflowMs).toBeGreaterThan(0);
  });
});
