import type { CheckRow } from './check-row.js';
import { renderTable, wrapText } from './text-table.js';

/** Renders the ✓/✗ table: one row per check, each ✗ followed by its fix, then a summary line. */
export function renderCheckReport(rows: readonly CheckRow[], options: { source: string; width: number }): string {
  const table = renderTable(
    rows.map((row) => [row.ok ? '✓' : '✗', row.platform, row.what, row.result]),
    [' ', 'PLATFORM', 'CHECK', 'RESULT'],
  );
  const [header = '', ...lines] = table;
  const out = [`Threadline check of ${options.source}: the config is valid; the platforms say:`, '', `  ${header}`];
  const fixWidth = Math.max(40, options.width - 10);
  rows.forEach((row, index) => {
    out.push(`  ${lines[index] ?? ''}`);
    if (!row.ok && row.fix) {
      const [first = '', ...more] = wrapText(row.fix, fixWidth);
      out.push(`       fix: ${first}`, ...more.map((line) => `            ${line}`));
    }
  });
  const failures = rows.filter((row) => !row.ok).length;
  out.push('');
  out.push(
    failures === 0
      ? `All ${rows.length} checks passed.`
      : `${rows.length - failures} passed, ${failures} failed: fix each ✗ above and run \`threadline check\` again.`,
  );
  return out.join('\n');
}
