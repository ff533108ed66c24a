import { it } from 'node:test';
import { PgStore } from '../../src/store/pg-store.js';
import type { Store } from '../../src/store/store.js';
import { runStoreContract } from '../helpers/store-contract.js';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../helpers/pg-server.js';

const unavailable = await pgUnavailable();

if (unavailable !== undefined) {
  it('PostgreSQL store contract', { skip: unavailable }, () => undefined);
} else {
  runStoreContract('postgres', async (options) => {
    const schema = freshSchema();
    const open = () => PgStore.open({ ...options, url: pgTestUrl, schema });
    let current: Store = await open();
    return {
      store: current,
      reopen: async () => {
        await current.close();
        current = await open();
        return current;
      },
      cleanup: async () => {
        await current.close();
        await dropSchema(schema);
      },
    };
  });
}
