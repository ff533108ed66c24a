/**
 * The store figures of `npm run bench`: runs bench/store.ts as a child (it runs its own measurements in fresh
 * children), shows its output, and turns the JSON line it ends with into table rows.
 */
import { join } from 'node:path';
import { repoRoot, spawnTs } from './child.js';
import { atMost, type GroupResult, type Row } from './table.js';

interface StoreFigures {
  name: string;
  conversations: number;
  openMs: number;
  rssMb: number;
  p99Window: number;
  p99NoWindow: number;
}

export async function runStore(options: { quick: boolean; say: (line: string) => void }): Promise<GroupResult> {
  options.say(`store: bench/store.ts${options.quick ? ' --quick' : ''} (open, RSS, commit latency; its own children)`);
  const child = spawnTs(join(repoRoot, 'bench/store.ts'), options.quick ? ['--quick'] : []);
  let last = '';
  let pending = '';
  child.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{"store"')) last = line;
      else if (line.trim()) options.say(`  store | ${line}`);
    }
  });
  const code = await child.exited;
  if (code !== 0 || !last) throw new Error(`bench/store.ts failed (${code}):\n${child.tail()}`);
  const scales = (JSON.parse(last) as { store: StoreFigures[] }).store;
  const rows: Row[] = [];
  const label = (conversations: number) => (conversations >= 1000 ? `${conversations / 1000}k` : String(conversations));
  for (const scale of scales) {
    const at = label(scale.conversations);
    rows.push(
      {
        key: `store.${at}.openMs`,
        figure: `store open (${scale.name})`,
        value: scale.openMs,
        unit: 'ms',
        digits: 0,
        goal: atMost(scale.openMs, 2000, '≤ 2000 ms'),
      },
      {
        key: `store.${at}.commitP99`,
        figure: `store commit p99, 5 ms group window (${at} conv)`,
        value: scale.p99Window,
        unit: 'ms',
        digits: 2,
      },
      {
        key: `store.${at}.commitP99NoWindow`,
        figure: `store commit p99, I/O alone (${at} conv)`,
        value: scale.p99NoWindow,
        unit: 'ms',
        digits: 2,
      },
    );
  }
  const [small, large] = scales;
  if (small && large) {
    const ratio = large.p99Window / small.p99Window;
    rows.push({
      key: 'store.commitP99Ratio',
      figure: `store commit p99 ${label(large.conversations)} ÷ ${label(small.conversations)} (5 ms window)`,
      value: ratio,
      unit: '×',
      digits: 2,
      goal: atMost(ratio, 2, '≤ 2×'),
    });
    rows.push({
      key: `store.${label(large.conversations)}.rssMb`,
      figure: `store RSS after open (${large.name})`,
      value: large.rssMb,
      unit: 'MB',
      digits: 0,
      goal: atMost(large.rssMb, 400, '≤ 400 MB'),
    });
  }
  return { rows };
}
