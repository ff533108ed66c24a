import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFrames } from '../../src/store/log-frame.js';
import { parseLogRecord, type LogRecord } from '../../src/store/log-record.js';

/** The log files in a store directory (`threadline.wal-000001.log` …), in order. */
export async function logFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((file) => /^threadline\.wal-\d+\.log$/.test(file)).sort();
}

/** Every whole record of every log in a store directory, in order. */
export async function readLogRecords(dir: string): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for (const file of await logFiles(dir)) {
    const path = join(dir, file);
    for (const json of readFrames(await readFile(path), path).records) records.push(parseLogRecord(json, path));
  }
  return records;
}
