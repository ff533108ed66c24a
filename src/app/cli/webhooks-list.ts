import type { MessagesDevClient } from '../../../bridges/imessage/client.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import type { CliOutput } from './output.js';
import type { RouteLine } from './route-lines.js';
import { renderTable } from './text-table.js';

/** Prints each route line's webhooks as a table (no secrets: messages.dev lists none). */
export async function listWebhooks(input: {
  client: MessagesDevClient;
  lines: readonly RouteLine[];
  out: CliOutput;
}): Promise<ExitCode> {
  const rows: string[][] = [];
  for (const { line } of input.lines) {
    const webhooks = await input.client.listWebhooks({ from: line.handle });
    if (webhooks.length === 0) rows.push([line.handle, '(none)', '', '', '']);
    for (const webhook of webhooks) {
      rows.push([
        line.handle,
        webhook.id,
        webhook.isActive ? 'active' : 'inactive',
        webhook.url,
        webhook.events.join(','),
      ]);
    }
  }
  const table = renderTable(rows, ['LINE', 'WEBHOOK', 'STATE', 'URL', 'EVENTS']);
  const hint = rows.some((row) => row[1] === '(none)')
    ? ['', 'A line without a webhook receives nothing: run `threadline webhooks register --url https://…`.']
    : [];
  input.out.say([...table, ...hint].join('\n'));
  return exitCodes.ok;
}
