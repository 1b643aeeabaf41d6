import { Better, type Measurement } from './measurement.ts';

/** flowline's rows (as shipped, in-process, split): each is compared with the best Postgres-backed peer. */
const isFlowline = (contender: string) => contender.startsWith('flowline');

function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * The result table as Markdown (it reads as a plain table in a terminal too):
 * one row per scenario metric, each contender's median with min–max, then for
 * each flowline row the ratio flowline ÷ the best Postgres-backed peer of that
 * metric (by median, in the metric's better direction), naming the peer.
 */
export function resultTable(measurements: readonly Measurement[]): string {
  const contenders = [...new Set(measurements.map((m) => m.contender))];
  const flowlines = contenders.filter(isFlowline);
  const rows = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}\u0000${m.metric}`;
    rows.set(key, [...(rows.get(key) ?? []), m]);
  }
  const header = ['scenario', 'metric', 'unit', ...contenders.map((c) => `${c} median (min–max)`), ...flowlines.map((f) => `${f} ÷ best Postgres peer`)];
  const lines = [header, header.map(() => '---')];
  for (const group of rows.values()) {
    const first = group[0]!;
    const byContender = new Map(group.map((m) => [m.contender, m]));
    const cell = (name: string) => {
      const m = byContender.get(name);
      if (!m) return '';
      if (!m.spread || m.samples.length === 0) return m.note ?? 'n/a';
      return `${format(m.spread.median)} (${format(m.spread.min)}–${format(m.spread.max)})`;
    };
    const peers = group.filter((m) => m.postgresBacked && !isFlowline(m.contender) && m.spread && m.samples.length > 0);
    const best = peers.reduce<Measurement | undefined>((a, b) => {
      if (!a) return b;
      const higher = b.spread!.median > a.spread!.median;
      return (first.better === Better.HIGHER ? higher : !higher) ? b : a;
    }, undefined);
    const ratio = (name: string) => {
      const flowline = byContender.get(name)?.spread?.median;
      return flowline === undefined || !best ? '' : `${(flowline / best.spread!.median).toFixed(2)}× (${best.contender})`;
    };
    lines.push([first.scenario, first.metric, `${first.unit} (${first.better} is better)`, ...contenders.map(cell), ...flowlines.map(ratio)]);
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
