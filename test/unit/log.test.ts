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
});
