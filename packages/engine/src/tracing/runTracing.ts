import { newRandomHex16 } from '../core/ids.ts';
import { INVALID_SPAN_CONTEXT, context, trace, SpanStatusCode, TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';
import type { RunEvent } from '../core/runState.ts';

/**
 * OpenTelemetry traces of runs: one trace per run, its root span covering the
 * run, a child span per node attempt. A run's spans are made by whichever
 * processes run its nodes, so the ids are not passed around but derived: the
 * trace id is stored with the run at start (`workflow_runs.trace_id`), the root
 * span id comes from the run id. Every call goes through the OpenTelemetry API,
 * which is a no-op until an SDK is installed (tracingSdk.ts, only when an OTLP
 * endpoint is configured), so tracing costs nothing when it is off.
 */
const tracer = () => trace.getTracer('flowline');

/** Whether an SDK records spans (set by startTracing): until then a node's span is one shared no-op, not a span, context and attributes per attempt. */
export const tracingState = { recording: false };
const NOT_RECORDED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** A new trace id for a run: 16 random bytes as 32 lowercase hex. */
export function newTraceId(): string {
  return newRandomHex16();
}

/** The root span id of a run: the last 8 bytes of its uuid (the random part of a v4). */
export function runSpanId(runUuid: string): string {
  return runUuid.replace(/-/g, '').slice(16);
}

export interface TracedRun {
  readonly uuid: string;
  readonly traceId: string | null;
  readonly workflow: string;
}

function runSpanContext(run: TracedRun & { traceId: string }): SpanContext {
  return { traceId: run.traceId, spanId: runSpanId(run.uuid), traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/** Starts the span of one node attempt, as a child of its run's root span. */
export function startNodeSpan(run: TracedRun, node: string, attempt: number): Span {
  if (!tracingState.recording) return NOT_RECORDED;
  const parent = run.traceId === null ? context.active() : trace.setSpanContext(context.active(), runSpanContext({ ...run, traceId: run.traceId }));
  return tracer().startSpan(
    `node ${run.workflow}.${node}`,
    { attributes: { 'flowline.run.uuid': run.uuid, 'flowline.workflow': run.workflow, 'flowline.node': node, 'flowline.attempt': attempt } },
    parent,
  );
}

/** Ends a node span with what its handler reported. */
export function endNodeSpan(span: Span, event: RunEvent): void {
  span.setAttribute('flowline.outcome', event.type);
  if (event.type === 'NODE_FAILED') span.setStatus({ code: SpanStatusCode.ERROR, message: event.outcome.error ?? event.failure });
  span.end();
}

/**
 * Ids the next span must take. The SDK asks its IdGenerator for a root span's
 * ids synchronously inside startSpan, so setting them just before and clearing
 * them just after gives a run's root span the ids its node spans already point at.
 */
export const forcedSpanIds: { next: { traceId: string; spanId: string } | undefined } = { next: undefined };

/** Emits a finished run's root span, from its start to its end, once the decision that ended it committed. */
export function emitRunSpan(run: TracedRun & { status: string; startTime: Date; endTime: Date }): void {
  if (run.traceId === null) return;
  forcedSpanIds.next = { traceId: run.traceId, spanId: runSpanId(run.uuid) };
  let span: Span;
  try {
    span = tracer().startSpan(
      `run ${run.workflow}`,
      { root: true, startTime: run.startTime, attributes: { 'flowline.run.uuid': run.uuid, 'flowline.workflow': run.workflow, 'flowline.status': run.status } },
    );
  } finally {
    forcedSpanIds.next = undefined;
  }
  if (run.status !== 'SUCCESS') span.setStatus({ code: SpanStatusCode.ERROR, message: run.status });
  span.end(run.endTime);
}
