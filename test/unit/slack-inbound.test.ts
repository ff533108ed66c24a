import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCoreEvent } from '../../bridges/slack/inbound.js';

const self = { botUserId: 'UBOT', botId: 'BBOT' };
const thread = { channel: 'C1', thread_ts: '100.000100' };

describe('Slack inbound: what never goes to the phone (loop safety)', () => {
  const ignored: [string, Record<string, unknown>][] = [
    ['the bot’s own post', { type: 'message', ...thread, ts: '101.0', user: 'UBOT', bot_id: 'BBOT', text: 'x' }],
    [
      'the bot’s customised post',
      { type: 'message', subtype: 'bot_message', ...thread, ts: '101.1', bot_id: 'BBOT', username: 'Alice', text: 'x' },
    ],
    ['another bot', { type: 'message', subtype: 'bot_message', ...thread, ts: '101.2', bot_id: 'BOTHER', text: 'x' }],
    [
      'an app user posting with a bot id',
      { type: 'message', ...thread, ts: '101.3', user: 'U9', bot_id: 'BOTHER', text: 'x' },
    ],
    [
      'the bot’s own edit',
      {
        type: 'message',
        subtype: 'message_changed',
        channel: 'C1',
        ts: '102.0',
        message: { user: 'UBOT', bot_id: 'BBOT', ts: '101.0', thread_ts: '100.000100', text: 'y' },
      },
    ],
    [
      'the bot’s own delete',
      {
        type: 'message',
        subtype: 'message_deleted',
        channel: 'C1',
        ts: '102.1',
        deleted_ts: '101.0',
        previous_message: { user: 'UBOT', bot_id: 'BBOT', ts: '101.0' },
      },
    ],
    ['a top-level channel message', { type: 'message', channel: 'C1', ts: '103.0', user: 'U1', text: 'general' }],
    [
      'a thread parent',
      { type: 'message', channel: 'C1', ts: '100.000100', thread_ts: '100.000100', user: 'U1', text: 'root' },
    ],
    ['a join', { type: 'message', subtype: 'channel_join', ...thread, ts: '104.0', user: 'U1', text: 'joined' }],
    [
      'the bot’s own reaction',
      {
        type: 'reaction_added',
        user: 'UBOT',
        reaction: 'white_check_mark',
        item: { type: 'message', channel: 'C1', ts: '101.0' },
      },
    ],
    [
      'a reaction on a file',
      { type: 'reaction_added', user: 'U1', reaction: 'heart', item: { type: 'file', file: 'F1' } },
    ],
  ];
  for (const [name, event] of ignored) {
    it(`ignores ${name}`, () => {
      assert.equal(toCoreEvent('Ev1', event, self), undefined);
    });
  }
});

describe('Slack inbound: what is bridged', () => {
  it('a human reply in a thread, with files', () => {
    const result = toCoreEvent(
      'Ev2',
      {
        type: 'message',
        subtype: 'file_share',
        ...thread,
        ts: '105.0',
        user: 'U1',
        text: 'see <@U2>',
        files: [
          {
            id: 'F1',
            name: 'a.pdf',
            mimetype: 'application/pdf',
            size: 3,
            url_private_download: 'https://files.slack.com/a.pdf',
          },
        ],
      },
      self,
    );
    assert.equal(result?.markup, 'see <@U2>');
    assert.equal(result?.ingress.dedupeKey, 'slack:event:Ev2');
    assert.equal(result?.ingress.effectKey, 'slack:message:C1:105.0');
    assert.deepEqual(result?.ingress.event, {
      kind: 'message',
      origin: { bridge: 'slack', messageId: '105.0', channel: 'C1', thread: '100.000100' },
      author: { id: 'U1' },
      sentAt: 105000,
      text: 'see <@U2>',
      attachments: [{ name: 'a.pdf', mimeType: 'application/pdf', ref: 'https://files.slack.com/a.pdf', size: 3 }],
    });
  });

  it('a human edit and delete, and a reaction with a skin tone', () => {
    const edit = toCoreEvent(
      'Ev3',
      {
        type: 'message',
        subtype: 'message_changed',
        channel: 'C1',
        ts: '106.0',
        message: { user: 'U1', ts: '105.0', thread_ts: '100.000100', text: 'fixed' },
      },
      self,
    );
    assert.equal(edit?.ingress.event.kind, 'edit');
    const deleted = toCoreEvent(
      'Ev4',
      {
        type: 'message',
        subtype: 'message_deleted',
        channel: 'C1',
        ts: '106.1',
        deleted_ts: '105.0',
        previous_message: { user: 'U1', ts: '105.0' },
      },
      self,
    );
    assert.equal(deleted?.ingress.event.kind, 'delete');
    const reaction = toCoreEvent(
      'Ev5',
      {
        type: 'reaction_removed',
        user: 'U1',
        reaction: '+1::skin-tone-5',
        item: { type: 'message', channel: 'C1', ts: '105.0' },
      },
      self,
    );
    assert.ok(reaction?.ingress.event.kind === 'reaction');
    assert.equal(reaction.ingress.event.removed, true);
    assert.equal(reaction.ingress.event.target, '105.0');
    assert.match(reaction.ingress.event.emoji, /^👍/);
  });
});
