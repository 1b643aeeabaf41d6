import type { Measurement } from './measurement.ts';

const FLOWLINE = 'flowline';

function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * The result table as Markdown (it reads as a plain table in a terminal too):
 * one row per scenario metric, each contender's median with min–max, then the
 * ratio flowline ÷ peer of the medians.
 */
export function resultTable(measurements: readonly Measurement[]): string {
  const contenders = [...new Set(measurements.map((m) => m.contender))];
  const peers = contenders.filter((c) => c !== FLOWLINE);
  const rows = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}\u0000${m.metric}`;
    rows.set(key, [...(rows.get(key) ?? []), m]);
  }
  const header = ['scenario', 'metric', 'unit', ...contenders.map((c) => `${c} median (min–max)`), ...peers.map((p) => `flowline ÷ ${p}`)];
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
    const flowline = byContender.get(FLOWLINE)?.spread?.median;
    const ratio = (peer: string) => {
      const other = byContender.get(peer)?.spread?.median;
      return flowline === undefined || other === undefined ? '' : `${(flowline / other).toFixed(2)}×`;
    };
    lines.push([first.scenario, first.metric, `${first.unit} (${first.better} is better)`, ...contenders.map(cell), ...peers.map(ratio)]);
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
