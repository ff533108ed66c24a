/** The one table `npm run bench` prints (figure, value, goal, ratio to the floor, met?), and its JSON form. */
import { cpus, loadavg, totalmem } from 'node:os';

export interface Row {
  /** Key in the JSON line. */
  readonly key: string;
  readonly figure: string;
  /** NaN when it could not be measured. */
  readonly value: number;
  readonly unit: string;
  readonly digits?: number;
  /** The goal and whether the value meets it. */
  readonly goal?: { readonly text: string; readonly met: boolean };
  /** The floor this figure is compared with (the bare server or relay), and value ÷ floor. */
  readonly floor?: { readonly value: number; readonly unit: string; readonly ratio: number };
}

export interface GroupResult {
  readonly rows: Row[];
  /** Extra figures for the JSON line only (context: counts, setup times). */
  readonly extra?: Record<string, number | string>;
}

const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

export const atLeast = (value: number, target: number, text: string) => ({ text, met: value >= target });
export const atMost = (value: number, target: number, text: string) => ({ text, met: value <= target });

/** A row compared with a floor: `ratio` = value ÷ floor. */
export function withFloor(value: number, floor: number, unit: string) {
  return { value: floor, unit, ratio: value / floor };
}

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
  };
}

export function describeMachine(): string {
  const m = machine();
  return `machine: ${m['cores']} cores (${m['cpu']}), ${m['memoryGb']} GB, Node ${m['node']} on ${m['platform']}, load average ${m['loadAverage1m']}`;
}

export function renderTable(rows: readonly Row[]): string {
  const header = ['figure', 'value', 'goal', 'ratio to floor', 'met?'];
  const lines = rows.map((row) => [
    row.figure,
    `${fmt(row.value, row.digits)} ${row.unit}`.trim(),
    row.goal?.text ?? '',
    row.floor ? `${fmt(row.floor.ratio, 2)}× of ${fmt(row.floor.value, row.digits)} ${row.floor.unit}`.trim() : '',
    row.goal ? (Number.isFinite(row.value) ? (row.goal.met ? 'yes' : 'NO') : 'n/a') : '',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

/** Every figure by key (with `<key>.floor`, `<key>.ratio` and `<key>.met` where they apply). */
export function figuresJson(rows: readonly Row[], extra: Record<string, number | string>): Record<string, unknown> {
  const figures: Record<string, unknown> = {};
  const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null);
  for (const row of rows) {
    figures[row.key] = round(row.value);
    if (row.floor) {
      figures[`${row.key}.floor`] = round(row.floor.value);
      figures[`${row.key}.ratio`] = round(row.floor.ratio);
    }
    if (row.goal) figures[`${row.key}.met`] = Number.isFinite(row.value) ? row.goal.met : null;
  }
  for (const [key, value] of Object.entries(extra)) figures[key] = typeof value === 'number' ? round(value) : value;
  return figures;
}
