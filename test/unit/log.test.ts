import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogs } from '../helpers/log-capture.js';

describe('createLogger', () => {
  it('redacts tokens, secrets, Authorization headers and signatures wherever they appear', () => {
    const { log, lines } = captureLogs('info');
    log.info(
      {
        config: {
          imessage: { apiKey: 'sk_live_secret1', webhookSecret: 'whsec_secret2' },
          slack: { botToken: 'xoxb-secret3', appToken: 'xapp-secret4', signingSecret: 'secret5' },
          discord: { token: 'secret6' },
        },
        req: {
          headers: {
            authorization: 'Bearer sk_live_secret7',
            'x-webhook-signature': 'abcdef0123',
            'x-slack-signature': 'v0=secret8',
          },
        },
        token: 'secret9',
      },
      'Something happened',
    );
    const raw = lines[0]!.raw;
    for (const secret of [
      'sk_live_secret1',
      'whsec_secret2',
      'xoxb-secret3',
      'xapp-secret4',
      'secret5',
      'secret6',
      'sk_live_secret7',
      'abcdef0123',
      'v0=secret8',
      'secret9',
    ]) {
      assert.ok(!raw.includes(secret), `${secret} leaked: ${raw}`);
    }
    assert.equal((lines[0]!['config'] as { imessage: { apiKey: string } }).imessage.apiKey, '[redacted]');
    assert.equal(lines[0]!.msg, 'Something happened');
  });

  it('keeps ids and structure, one JSON line per event, with child bindings', () => {
    const { log, lines } = captureLogs('info');
    log.child({ bridge: 'imessage' }).info({ delivery_id: 'dlv_1', message_id: 'msg_1' }, 'Webhook accepted');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!['bridge'], 'imessage');
    assert.equal(lines[0]!['delivery_id'], 'dlv_1');
    assert.equal(lines[0]!.level, 'info');
  });

  it('scrubs what an error carries: credentials deep in its cause, and request bodies (they hold message text)', () => {
    const { log, lines } = captureLogs('info');
    const cause = Object.assign(new Error('HTTP 400'), {
      requestBody: { json: { content: 'the customer wrote something private' } },
      request: { headers: { Authorization: 'Bot secret-token-1' } },
    });
    const error = Object.assign(new Error('Discord refused POST', { cause }), {
      deep: { a: { b: { c: { d: { token: 'secret-token-2' } } } } },
    });
    log.error({ err: error, conversation: 'cht_1' }, 'Send failed');
    log.warn(error, 'Send failed again');
    for (const line of lines) {
      for (const leaked of ['something private', 'secret-token-1', 'secret-token-2']) {
        assert.ok(!line.raw.includes(leaked), `${leaked} leaked: ${line.raw}`);
      }
    }
    const err = lines[0]!['err'] as { message: string; stack: string };
    assert.match(err.message, /^Discord refused POST/);
    assert.match(err.stack, /caused by: Error: HTTP 400/);
    assert.equal(lines[0]!['conversation'], 'cht_1');
    assert.match((lines[1]!['err'] as { message: string }).message, /^Discord refused POST/);
  });

  it('scrubs child bindings too, and survives cycles', () => {
    const { log, lines } = captureLogs('info');
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    log.child({ apiKey: 'sk_live_child' }).info({ loop }, 'cyclic');
    assert.ok(!lines[0]!.raw.includes('sk_live_child'));
    assert.match(lines[0]!.raw, /\[circular\]/);
  });
});
