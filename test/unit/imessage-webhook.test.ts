import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SignatureError } from '../../src/core/errors.js';
import { MalformedDeliveryError, parseDelivery } from '../../bridges/imessage/inbound.js';
import { signWebhook, verifyWebhookSignature } from '../../bridges/imessage/webhook.js';

const secret = 'whsec_test_bridge_123';
const timestamp = '1710000000123';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/imessage/${name}`, import.meta.url));
const messageBody = fixture('message-received.json');
const reactionBody = fixture('reaction-added.json');
const at = (ms: number) => () => ms;

function verify(overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) {
  return verifyWebhookSignature({
    rawBody: messageBody,
    signature: '9984ce2336051b8705facc7cb8b7f807122eee95c1ba61989c91b72d00f77eff',
    timestamp,
    secret,
    now: at(1710000000123 + 1000),
    ...overrides,
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SignatureError);
    return error.code;
  }
  return 'verified';
}

describe('verifyWebhookSignature (spec §4.4 worked examples)', () => {
  it('the fixtures are the exact bytes of the spec', () => {
    assert.equal(messageBody.length, 430);
  });

  it('verifies the message.received example and returns the timestamp', () => {
    assert.equal(verify({}), 1710000000123);
  });

  it('verifies the reaction.added example', () => {
    const signature = '10cf02ffaa4b0ce49799636bfea3b5c446c994766e734a32f51d90a601078193';
    assert.equal(verify({ rawBody: reactionBody, signature }), 1710000000123);
    assert.equal(signWebhook(secret, timestamp, reactionBody), signature);
  });

  const table: [string, Partial<Parameters<typeof verifyWebhookSignature>[0]>, string][] = [
    [
      'the body-only legacy signature',
      { signature: 'da586cb8897a89ae7ac691fa462404bd2182a0bef08643db00ceab40e247cec7' },
      'signature_invalid',
    ],
    ['a missing signature', { signature: undefined }, 'signature_invalid'],
    ['a missing timestamp', { timestamp: undefined }, 'signature_invalid'],
    ['another timestamp than the signed one', { timestamp: '1710000000124' }, 'signature_invalid'],
    [
      'uppercase hex',
      { signature: '9984CE2336051B8705FACC7CB8B7F807122EEE95C1BA61989C91B72D00F77EFF' },
      'signature_invalid',
    ],
    [
      'a sha256= prefix',
      { signature: 'sha256=9984ce2336051b8705facc7cb8b7f807122eee95c1ba61989c91b72d00f77eff' },
      'signature_invalid',
    ],
    ['a wrong secret', { secret: 'whsec_other' }, 'signature_invalid'],
    [
      'one byte changed in the body',
      { rawBody: Buffer.from(messageBody.toString().replace('Hey', 'Hay')) },
      'signature_invalid',
    ],
    ['a delivery 5 min + 1 ms old', { now: at(1710000000123 + 300_001) }, 'signature_stale'],
    ['a delivery 5 min + 1 ms in the future', { now: at(1710000000123 - 300_001) }, 'signature_stale'],
    ['a delivery exactly 5 min old', { now: at(1710000000123 + 300_000) }, 'verified'],
  ];
  for (const [name, overrides, expected] of table) {
    it(`${expected === 'verified' ? 'accepts' : 'rejects'} ${name}`, () => {
      assert.equal(
        codeOf(() => verify(overrides)),
        expected,
      );
    });
  }
});

describe('parseDelivery', () => {
  it('turns message.received into a message event keyed by delivery and by effect', () => {
    const parsed = parseDelivery(messageBody);
    assert.equal(parsed.kind, 'event');
    if (parsed.kind !== 'event') return;
    assert.equal(parsed.ingress.dedupeKey, 'imessage:delivery:dlv_0123456789abcdef0123456789abcdef');
    assert.equal(parsed.ingress.effectKey, 'imessage:message.received:msg_abc123');
    assert.deepEqual(parsed.ingress.event, {
      kind: 'message',
      origin: {
        bridge: 'imessage',
        messageId: 'msg_abc123',
        conversation: { line: '+15551234567', chat: 'cht_def456' },
      },
      author: { id: '+15559876543' },
      sentAt: 1710000000000,
      text: 'Hey there!',
      attachments: [],
      guid: '5D8E2A1C-7B3F-4E9A-8C21-0F6B9D3E4A57',
    });
  });

  it('turns reaction.added into a reaction event with the tapback as emoji', () => {
    const parsed = parseDelivery(reactionBody);
    assert.ok(parsed.kind === 'event' && parsed.ingress.event.kind === 'reaction');
    const event = parsed.ingress.event;
    assert.equal(event.emoji, '❤️');
    assert.equal(event.target, 'msg_abc123');
    assert.equal(event.removed, false);
  });

  it('marks reaction.removed as a removal', () => {
    const body = Buffer.from(
      reactionBody.toString().replace('reaction.added', 'reaction.removed').replace('"added":true', '"added":false'),
    );
    const parsed = parseDelivery(body);
    assert.ok(parsed.kind === 'event' && parsed.ingress.event.kind === 'reaction');
    assert.equal(parsed.ingress.event.removed, true);
  });

  it('marks message.sent as from the line with its outbox id, and keeps voice memo transcripts', () => {
    const body = JSON.stringify({
      event: 'message.sent',
      timestamp: 1,
      delivery_id: 'dlv_x',
      data: {
        id: 'msg_1',
        chat_id: 'cht_1',
        line_handle: '+15551234567',
        guid: 'G',
        sender: '+15551234567',
        text: '\uFFFC',
        attachments: [
          { filename: 'memo.m4a', mime_type: 'audio/x-m4a', size: 10, url: 'https://x/y', transcription: 'hello' },
        ],
        is_from_me: true,
        is_audio_message: true,
        sent_at: 5,
        outbox_id: 'obx_1',
      },
    });
    const parsed = parseDelivery(Buffer.from(body));
    assert.ok(parsed.kind === 'event' && parsed.ingress.event.kind === 'message');
    const event = parsed.ingress.event;
    assert.equal(event.fromLine, true);
    assert.equal(event.outboxId, 'obx_1');
    assert.equal(event.text, '', 'U+FFFC placeholders are not text');
    assert.deepEqual(event.attachments, [
      { name: 'memo.m4a', mimeType: 'audio/x-m4a', ref: 'https://x/y', size: 10, voiceMemo: true, transcript: 'hello' },
    ]);
  });

  it('reports an unknown event type without failing', () => {
    const parsed = parseDelivery(
      Buffer.from('{"event":"typing.started","data":{},"timestamp":1,"delivery_id":"dlv_1"}'),
    );
    assert.equal(parsed.kind, 'unknown-event');
  });

  for (const [name, body] of [
    ['malformed JSON', '{"event":'],
    ['a JSON array', '[]'],
    ['an envelope without data', '{"event":"message.received","timestamp":1}'],
    ['a message without ids', '{"event":"message.received","data":{"text":"x"},"timestamp":1}'],
  ] as const) {
    it(`rejects ${name} as malformed`, () => {
      assert.throws(() => parseDelivery(Buffer.from(body)), MalformedDeliveryError);
    });
  }
});
