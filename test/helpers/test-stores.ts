import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from './pg-server.js';

/** The store backends the daemon's end-to-end tests run on. */
export type StoreKind = 'lowdb' | 'postgres';

/** Each backend, with why its tests skip (PostgreSQL when no server answers). */
export async function storeKinds(): Promise<Array<{ kind: StoreKind; skip: string | undefined }>> {
  return [
    { kind: 'lowdb', skip: undefined },
    { kind: 'postgres', skip: await pgUnavailable() },
  ];
}

/**
 * The `store:` config line for a test's daemon: a file in `dir`, or a fresh PostgreSQL schema dropped
 * after the test. Call once per test and reuse the line across restarts (the same store).
 */
export function storeConfig(t: TestContext, kind: StoreKind, dir: string): string {
  if (kind === 'lowdb') return `store: { path: ${join(dir, 'threadline.json')} }`;
  const schema = freshSchema('e2e');
  t.after(() => dropSchema(schema));
  return `store: { url: "${pgTestUrl}", schema: ${schema} }`;
}
