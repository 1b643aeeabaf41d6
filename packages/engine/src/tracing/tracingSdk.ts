import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type IdGenerator,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { forcedSpanIds, tracingState } from './runTracing.ts';

/** Random ids, except where runTracing asks for a run's own (its root span). */
class RunAwareIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();

  generateTraceId(): string {
    return forcedSpanIds.next?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return forcedSpanIds.next?.spanId ?? this.random.generateSpanId();
  }
}

export interface Tracing {
  /** flushes pending spans and stops exporting */
  shutdown(): Promise<void>;
}

/**
 * Installs the OpenTelemetry SDK for this process: spans of runs and nodes go
 * to an OTLP/HTTP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. Jaeger or an
 * OpenTelemetry Collector at http://localhost:4318) in batches. Tests pass an
 * exporter of their own, exported span by span.
 */
export function startTracing(options: { serviceName: string; endpoint?: string; exporter?: SpanExporter }): Tracing {
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({
    idGenerator: new RunAwareIdGenerator(),
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
