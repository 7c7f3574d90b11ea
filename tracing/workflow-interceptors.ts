/**
 * The workflow bundle's tracing interceptors (bundleWorkflowCode's `workflowInterceptorModules`).
 *
 * A run is traced when it was started with a trace context in its headers, which a traced API's
 * Temporal client puts there: its `RunWorkflow:…` span continues that trace, and the context goes
 * on in the headers of every activity and child workflow it schedules. A run started without one,
 * which is every run when tracing is off, passes through untouched: no span, no sink call, no SDK
 * flag, no extra yield, and the OpenTelemetry modules are never evaluated in its sandbox. Whether a
 * run is traced depends only on its own history, so a replay decides the same way whatever the
 * replaying worker's settings; nothing here adds a command.
 */
import type * as otel from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInboundCallsInterceptor, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

/** The header the interceptors carry the context in (TRACE_HEADER of @temporalio/interceptors-opentelemetry). */
export const TRACE_HEADER = '_tracer-data';

/**
 * Workflow modules are evaluated per run, so the OpenTelemetry interceptors (and the SDK beneath
 * them) are required by a traced run only, into its own module cache.
 */
function openTelemetryInterceptors(): typeof otel {
  return require('@temporalio/interceptors-opentelemetry/lib/workflow');
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  let traced: { inbound: otel.OpenTelemetryInboundInterceptor; outbound: otel.OpenTelemetryOutboundInterceptor; internals: otel.OpenTelemetryInternalsInterceptor } | undefined;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!(TRACE_HEADER in input.headers)) return next(input);
      const { OpenTelemetryInboundInterceptor, OpenTelemetryOutboundInterceptor, OpenTelemetryInternalsInterceptor } = openTelemetryInterceptors();
      traced = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor(), internals: new OpenTelemetryInternalsInterceptor() };
      return traced.inbound.execute(input, next);
    },
    // A message gets a span when a traced caller sent it, in that caller's trace; a poll of the
    // progress query from an untraced client is not a trace of its own.
    handleSignal: (input, next) => (traced && TRACE_HEADER in input.headers ? traced.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (traced && TRACE_HEADER in input.headers ? traced.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (traced && TRACE_HEADER in input.headers ? traced.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (traced && TRACE_HEADER in input.headers ? traced.inbound.handleQuery(input, next) : next(input)),
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (traced ? traced.outbound.startChildWorkflowExecution(input, next) : next(input)),
    continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (traced ? traced.outbound.signalWorkflow(input, next) : next(input)),
    startNexusOperation: (input, next) => (traced ? traced.outbound.startNexusOperation(input, next) : next(input)),
    // A traced run's log lines carry its trace and span ids.
    getLogAttributes: (input, next) => (traced ? traced.outbound.getLogAttributes(input, next) : next(input)),
  };

  return {
    inbound: [inbound],
    outbound: [outbound],
    // A traced run releases its context storage when it leaves the worker's cache.
    internals: [{ dispose: (input, next) => (traced ? traced.internals.dispose(input, next) : next(input)) }],
  };
};
