/**
 * Which traces a process exports, read from the standard OpenTelemetry variables. Tracing is on
 * when an OTLP endpoint is set; everything else has the SDK's defaults. A value the service cannot
 * honour stops the process at start, naming the variable.
 */

/** The OTLP/HTTP encodings the exporter speaks; gRPC is not served. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingConfig {
  serviceName: string;
  protocol: OtlpProtocol;
  /** Where spans are posted: the traces endpoint itself, or the base endpoint with /v1/traces added. */
  tracesUrl: string;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

/** The process's tracing, or undefined when none is configured (or OTEL_SDK_DISABLED says so). */
export function readTracingConfig(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): TracingConfig | undefined {
  const tracesEndpoint = nonBlank(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const endpoint = nonBlank(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!tracesEndpoint && !endpoint) return undefined;
  if (nonBlank(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return undefined;
  if (nonBlank(env.OTEL_TRACES_EXPORTER)?.toLowerCase() === 'none') return undefined;

  const tracesUrl = tracesEndpoint
    ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint)
    : `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint!).replace(/\/+$/, '')}/v1/traces`;
  const protocolVariable = nonBlank(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = nonBlank(env[protocolVariable]) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol as OtlpProtocol)) {
    throw new Error(`${protocolVariable} must be ${PROTOCOLS.join(' or ')} (traces go over OTLP/HTTP), not '${protocol}'`);
  }
  return { serviceName: nonBlank(env.OTEL_SERVICE_NAME) ?? defaultServiceName, protocol: protocol as OtlpProtocol, tracesUrl };
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an http(s) URL such as http://localhost:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http(s) URL such as http://localhost:4318`);
  }
  return value;
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
