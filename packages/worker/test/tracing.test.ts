import { trace } from '@opentelemetry/api';
import { BackupCluster, runSpanId, startTracing, toRunUuid, type Tracing } from '@flowline/engine';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackFixture } from './testStack.ts';

const fixture = stackFixture();
const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'flowline-test', exporter });
});
afterAll(async () => {
  await tracing.shutdown();
});

describe('OpenTelemetry traces of runs', () => {
  it('a run is one trace: its root span, and a child span per node, under the trace id stored with the run', async () => {
    const stack = await fixture.start();
    await stack.engine.registerWorkflow(BackupCluster);
    const { run } = await stack.engine.startRun({ workflow: 'BackupCluster', bizId: 'traced' });
    expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
    await stack.waitForEnd(run.id);
    await expect.poll(() => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === run.traceId).length).toBe(4);

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === run.traceId);
    const root = spans.find((s) => s.name === 'run BackupCluster')!;
    expect(root.spanContext().spanId).toBe(runSpanId(toRunUuid(run.id)!));
    expect(root.attributes['flowline.status']).toBe('SUCCESS');
    const nodes = spans.filter((s) => s.name.startsWith('node '));
    expect(nodes.map((s) => s.name).sort()).toEqual(['node BackupCluster.backup', 'node BackupCluster.end', 'node BackupCluster.updateBackupRecord']);
    for (const span of nodes) expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
  });

  it('costs nothing and records nothing when no SDK is installed', async () => {
    await tracing.shutdown();
    const before = exporter.getFinishedSpans().length;
    const stack = await fixture.start();
    await stack.engine.registerWorkflow(BackupCluster);
    const { run } = await stack.engine.startRun({ workflow: 'BackupCluster' });
    await stack.waitForEnd(run.id);
    expect(exporter.getFinishedSpans().length).toBe(before);
    expect(trace.getTracer('flowline').startSpan('probe').isRecording()).toBe(false);
  });
});
