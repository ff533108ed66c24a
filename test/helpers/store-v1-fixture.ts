import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of a store as Threadline wrote them before the write-ahead log (manifest version 1, shards
 * without batch stamps, no log), captured from that code: one conversation, link, journal entry,
 * effect, dedupe key and cursor, at 2023-11-14T22:13:20Z.
 */
export const VERSION_1_FILES: Readonly<Record<string, string>> = (() => {
  const files: Record<string, string> = {};
  const conversationShards: string[] = [];
  for (let value = 0; value < 16; value++) {
    let bits = '';
    for (let bit = 0; bit < 4; bit++) bits += (value >>> bit) & 1;
    conversationShards.push(`conversations-${bits}`);
    files[`threadline.conversations-${bits}.json`] =
      bits === '0100'
        ? '{"shard":"0100","conversations":[{"key":{"line":"+15550001111","chat":"cht_v1"},"participants":["+15552223333"],"threads":{"slack":{"channel":"C1","thread":"1.1"}},"createdAt":1700000000000,"lastActivityAt":1700000000000}]}'
        : `{"shard":"${bits}","conversations":[]}`;
  }
  files['threadline.cursors.json'] = '{"cursors":[["+15550001111",{"lastSentAt":5,"lastMessageId":"msg_v1"}]]}';
  files['threadline.dedupe-000000.json'] = '{"segment":0,"keys":[["dlv_v1",2646080000000]]}';
  files['threadline.effects-000000.json'] =
    '{"segment":0,"nextSeq":2,"entries":[{"id":1,"lane":"l|slack","destination":"slack:C1","op":{"post":1},"createdAt":1700000000000,"attempts":0}]}';
  files['threadline.journal-000000.json'] =
    '{"segment":0,"nextSeq":2,"entries":[{"seq":1,"kind":"imessage.webhook","payload":{"id":"dlv_v1"},"appendedAt":1700000000000}]}';
  files['threadline.links-000000.json'] = '{"segment":0,"rows":"+15550001111|cht_v1|i|loyw3v28||msg_v1|||C1|2.2|| "}';
  files['threadline.json'] = JSON.stringify({
    format: 'threadline-store',
    version: 1,
    layout: { linksPerSegment: 1024, journalPerSegment: 256, effectsPerSegment: 256 },
    shards: [...conversationShards, 'links-000000', 'journal-000000', 'effects-000000', 'dedupe-000000', 'cursors'],
  });
  return files;
})();

/** Writes {@link VERSION_1_FILES} into `dir`. */
export async function writeVersion1Store(dir: string): Promise<void> {
  for (const [file, text] of Object.entries(VERSION_1_FILES)) await writeFile(join(dir, file), text);
}
