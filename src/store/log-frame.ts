import * as zlib from 'node:zlib';
import { StoreError } from './store-error.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
/** Longest length field accepted (a record of up to ~1 TB); longer means garbage, not a record. */
const MAX_LENGTH_DIGITS = 12;

/**
 * Frames one log record: `<byte length> <crc32, 8 hex digits> <json>\n`. The length and checksum let a
 * reader tell a whole record from one a crash cut short (or a sector that never reached the disk).
 */
export function frameRecord(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.from(`${body.length} ${crc32(body).toString(16).padStart(8, '0')} `, 'latin1');
  return Buffer.concat([head, body, Buffer.from('\n', 'latin1')]);
}

/** What {@link readFrames} found in one log file. */
export interface Frames {
  /** The records' JSON text, in file order. */
  readonly records: string[];
  /** Bytes at the end that are not a whole record (a torn final append); 0 for a clean file. */
  readonly tornBytes: number;
}

/**
 * Splits a log file into records. A bad record with no good record after it is the torn tail of an
 * append a crash interrupted, and is ignored; a bad record followed by a good one means the file is
 * damaged, and is a `store_corrupt` StoreError naming `file`.
 */
export function readFrames(bytes: Uint8Array, file: string): Frames {
  const records: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const frame = parseFrame(bytes, offset);
    if (frame === undefined) {
      if (hasFrameAfter(bytes, offset)) {
        throw new StoreError('store_corrupt', `Store log ${file} is corrupt: a bad record at byte ${offset}`, { file });
      }
      return { records, tornBytes: bytes.length - offset };
    }
    records.push(frame.json);
    offset = frame.end;
  }
  return { records, tornBytes: 0 };
}

/** The record starting at `offset` when it is whole and its checksum matches. */
function parseFrame(bytes: Uint8Array, offset: number): { json: string; end: number } | undefined {
  let cursor = offset;
  let length = 0;
  for (; cursor < bytes.length && bytes[cursor] !== SPACE; cursor++) {
    const digit = (bytes[cursor] ?? 0) - 0x30;
    if (digit < 0 || digit > 9 || cursor - offset >= MAX_LENGTH_DIGITS) return undefined;
    length = length * 10 + digit;
  }
  if (cursor === offset || cursor + 10 > bytes.length) return undefined;
  const crcText = text(bytes, cursor + 1, cursor + 9, 'latin1');
  if (!/^[0-9a-f]{8}$/.test(crcText) || bytes[cursor + 9] !== SPACE) return undefined;
  const start = cursor + 10;
  const end = start + length;
  if (end >= bytes.length || bytes[end] !== NEWLINE) return undefined;
  const body = bytes.subarray(start, end);
  if (crc32(body) !== Number.parseInt(crcText, 16)) return undefined;
  return { json: text(bytes, start, end, 'utf8'), end: end + 1 };
}

/** Decodes part of `bytes` without copying it first. */
function text(bytes: Uint8Array, start: number, end: number, encoding: BufferEncoding): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(encoding);
}

/** True when a whole record starts on some line after `offset`. */
function hasFrameAfter(bytes: Uint8Array, offset: number): boolean {
  for (let at = bytes.indexOf(NEWLINE, offset); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) {
    if (parseFrame(bytes, at + 1) !== undefined) return true;
  }
  return false;
}

type Crc32 = (data: Uint8Array) => number;

// zlib.crc32 arrived in Node 20.15; the table version keeps older Node 20 releases working.
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = (table[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 (IEEE), as zlib computes it. */
export const crc32: Crc32 = nativeCrc32 ? (data) => nativeCrc32(data) : tableCrc32;

/** Exposed for the test that checks the fallback against zlib. */
export const crc32ForOlderNode: Crc32 = tableCrc32;
