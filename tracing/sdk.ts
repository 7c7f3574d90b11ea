/**
 * The OpenTelemetry SDK of a traced process (tracing/index.ts loads this file only when tracing is
 * on): a Node tracer provider batching spans to the OTLP/HTTP endpoint, W3C trace context, the
 * HTTP and PostgreSQL instrumentations, and Temporal's interceptors.
 */
import { context, diag, DiagConsoleLogger, DiagLogLevel, type Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing, TracingConfig } from './index';

export function startTracingSdk(config: TracingConfig, env: NodeJS.ProcessEnv): Tracing {
  // The SDK reports its own trouble (an endpoint that refuses spans) through diag: errors only unless OTEL_LOG_LEVEL says more.
  diag.setLogger(new DiagConsoleLogger(), diagLevel(env.OTEL_LOG_LEVEL));

  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win over the process's own name.
  const resource = Resource.default()
    .merge(new Resource({ [ATTR_SERVICE_NAME]: config.serviceName }))
    .merge(envDetectorSync.detect());
  const exporter = config.protocol === 'http/json' ? new OTLPJsonTraceExporter({ url: config.tracesUrl }) : new OTLPProtobufTraceExporter({ url: config.tracesUrl });
  // Batching follows OTEL_BSP_* (every 5 s by default); sampling follows OTEL_TRACES_SAMPLER.
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();

  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ requestHook: (span) => withoutStreamToken(span) }),
      // Queries only inside a trace: the reconciler's, the stream listener's and the pruning's
      // background queries would otherwise each be a trace of their own. Parameter values stay out.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    ],
  });

  let stopped: Promise<void> | undefined;
  return {
    config,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor()],
    activityInterceptors: () => [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
    // Spans made in the sandbox reach the same processor, batched with the process's own.
    workflowSinks: () => ({ exporter: makeWorkflowExporter(spanProcessor, resource) }),
    nameServerSpan(route) {
      // The HTTP instrumentation names its server span from this when the response ends.
      const metadata = getRPCMetadata(context.active());
      if (metadata?.type === RPCType.HTTP) metadata.route = route;
    },
    shutdown() {
      stopped ??= (async () => {
        unregister();
        await provider.shutdown();
      })();
      return stopped;
    },
  };
}

/** URL attributes of an HTTP span, as the instrumentation sets them when the span starts. */
const URL_ATTRIBUTES = ['http.target', 'http.url', 'url.full', 'url.query'];

/**
 * A live progress stream is opened with `?token=…` (browsers' EventSource sends no headers): the
 * token is a credential and stays out of the span's URL attributes.
 */
function withoutStreamToken(span: Span): void {
  const attributes = (span as unknown as Partial<ReadableSpan>).attributes ?? {};
  for (const name of URL_ATTRIBUTES) {
    const value = attributes[name];
    if (typeof value === 'string' && /(^|[?&])token=/.test(value)) span.setAttribute(name, value.replace(/(^|[?&])token=[^&#]*/g, '$1token=REDACTED'));
  }
}

function diagLevel(value: string | undefined): DiagLogLevel {
  const levels: Record<string, DiagLogLevel> = {
    NONE: DiagLogLevel.NONE,
    ERROR: DiagLogLevel.ERROR,
    WARN: DiagLogLevel.WARN,
    INFO: DiagLogLevel.INFO,
    DEBUG: DiagLogLevel.DEBUG,
    VERBOSE: DiagLogLevel.VERBOSE,
    ALL: DiagLogLevel.ALL,
  };
  return levels[value?.trim().toUpperCase() ?? ''] ?? DiagLogLevel.ERROR;
}
