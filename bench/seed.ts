/**
 * Fills a new store through the store API (as bench/store.ts does) before a daemon opens it: `conversations`
 * conversations on `line`, each linked to a Slack and a Discord thread, with `links` message links each. The
 * threads are ids only (nothing is posted to them during the benchmark, and without a catch-up cursor the
 * daemon does not read them back).
 */
import { openLowdbStore } from '../src/store/lowdb-store.js';

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

export async function seedStore(
  path: string,
  options: { conversations: number; links: number; line: string; slackChannel: string; discordChannel: string },
): Promise<void> {
  const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
  let n = 0;
  for (let c = 0; c < options.conversations; c++) {
    const key = { line: options.line, chat: `cht_seed${hex(c, 12)}` };
    const discordThread = String(1_300_000_000_000_000_000n + BigInt(c));
    store.conversations.upsert(key, {
      participants: [`+1777${String(c).padStart(7, '0')}`],
      threads: {
        slack: { channel: options.slackChannel, thread: `${1_600_000_000 + c}.000100` },
        discord: { channel: options.discordChannel, thread: discordThread },
      },
    });
    for (let l = 0; l < options.links; l++, n++) {
      store.links.create({
        conversation: key,
        origin: 'imessage',
        imessage: {
          id: `msg_seed${hex(n, 20)}`,
          guid: `${hex(n, 8).toUpperCase()}-6C2B-4E1A-9F3D-${hex(n, 12).toUpperCase()}`,
        },
        slack: { channel: options.slackChannel, ts: `${1_700_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}` },
        discord: { channel: discordThread, id: String(1_200_000_000_000_000_000n + BigInt(n)) },
      });
    }
  }
  await store.commit();
  await store.close();
}
