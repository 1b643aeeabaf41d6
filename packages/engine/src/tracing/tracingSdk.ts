import { trace } from '@opentelemetry/api';
import type { IdGenerator, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { forcedSpanIds, tracingState } from './runTracing.ts';

/** Random ids, except where runTracing asks for a run's own (its root span). */
function runAwareIdGenerator(random: IdGenerator): IdGenerator {
  return {
    generateTraceId: () => forcedSpanIds.next?.traceId ?? random.generateTraceId(),
    generateSpanId: () => forcedSpanIds.next?.spanId ?? random.generateSpanId(),
  };
}

/** The OpenTelemetry SDK startTracing installed. */
export interface Tracing {
  /** flushes pending spans and stops exporting */
  shutdown(): Promise<void>;
}

/**
 * Installs the OpenTelemetry SDK for this process: spans of runs and nodes go
 * to an OTLP/HTTP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. Jaeger or an
 * OpenTelemetry Collector at http://localhost:4318) in batches. Tests pass an
 * exporter of their own, exported span by span.
 *
 * The SDK and the exporter are loaded here, not when the engine is: a process
 * that does not trace (most) is spared their ~10 MB of code and heap.
 */
export async function startTracing(options: { serviceName: string; endpoint?: string; exporter?: SpanExporter }): Promise<Tracing> {
  const [{ BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, SimpleSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources')]);
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({
    idGenerator: runAwareIdGenerator(new RandomIdGenerator()),
    spanProcessors: [processor],
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
  });
  trace.setGlobalTracerProvider(provider);
  tracingState.recording = true;
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      tracingState.recording = false;
    },
  };
}
