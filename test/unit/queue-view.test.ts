import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queueActionOf, parseCliArgs, UsageError } from '../../src/app/cli/args.js';
import { usage, usageFor } from '../../src/app/cli/help.js';
import { adminBaseUrl } from '../../src/app/cli/queue-client.js';
import {
  describeNotRetried,
  destinationLine,
  formatAge,
  formatError,
  renderQueue,
  renderRetried,
  truncate,
} from '../../src/app/cli/queue-format.js';
import {
  effectKind,
  parseRetryRequest,
  queueSnapshot,
  retryDeadLetters,
  type QueueSnapshot,
} from '../../src/server/queue-view.js';
import type { Effect } from '../../src/store/store.js';

const now = 1_700_000_000_000;
const secret = 'customer says: my card is 4111 1111 1111 1111';

function effect(id: number, patch: Partial<Effect> = {}): Effect {
  return {
    id,
    lane: `+15551234567/cht_secret|slack`,
    destination: 'slack:C0123456789',
    op: { kind: 'post', text: secret, author: { name: 'Jane Customer' }, conversation: { chat: 'cht_secret' } },
    createdAt: now - 192_000,
    attempts: 0,
    ...patch,
  };
}

const effects: Effect[] = [
  effect(3, {
    deadAt: now - 60_000,
    lastError: { code: 'not_found', message: 'Slack refused chat.postMessage: channel_not_found', at: now - 60_000 },
  }),
  effect(4, {
    op: { kind: 'mark', mark: 'sent', linkId: 'l_1' },
    createdAt: now - 10_000,
    attempts: 4,
    notBefore: now + 2_000,
    lastError: {
      code: 'platform_error',
      message: `HTTP 503 from Slack\nwith\ttabs ${'x'.repeat(400)}`,
      at: now - 1_000,
    },
  }),
  effect(7, {
    destination: 'imessage:+15551234567',
    op: { kind: 'reply', event: { text: secret } },
    createdAt: now - 5_000,
  }),
  effect(9, { destination: 'discord:1122', op: { kind: 'Weird Kind!', text: secret }, createdAt: now + 5_000 }),
];

describe('queue view', () => {
  it('formats ages for a person', () => {
    assert.equal(formatAge(-5_000), '0s');
    assert.equal(formatAge(999), '0s');
    assert.equal(formatAge(45_000), '45s');
    assert.equal(formatAge(192_000), '3m12s');
    assert.equal(formatAge(3_600_000 + 5 * 60_000 + 59_000), '1h5m');
    assert.equal(formatAge(3 * 86_400_000 + 4 * 3_600_000), '3d4h');
  });

  it('truncates to one line of at most the width, counting an emoji once', () => {
    assert.equal(truncate('short', 10), 'short');
    assert.equal(truncate('a\nb\r\n\tc', 10), 'a b c');
    assert.equal(truncate('abcdefghijkl', 10), 'abcdefghi…');
    assert.equal([...truncate('⚠️'.repeat(20), 10)].length, 10);
    assert.equal(formatError({ code: 'x', message: 'y'.repeat(200), at: 0 }).length, 72);
    assert.equal(formatError(null), '');
  });

  it('shows only the kind of an op: no text, author, chat or lane ever reaches the snapshot or the listing', () => {
    const snapshot = queueSnapshot(effects, now);
    const listing = renderQueue(snapshot, 'heading');
    for (const output of [JSON.stringify(snapshot), listing]) {
      for (const leak of ['4111', 'customer says', 'Jane', 'cht_secret', 'l_1', 'Weird']) {
        assert.ok(!output.includes(leak), `${leak} leaked into ${output}`);
      }
    }
    assert.deepEqual(
      snapshot.effects.map((view) => [view.id, view.kind, view.state]),
      [
        [3, 'post', 'dead'],
        [4, 'mark', 'pending'],
        [7, 'reply', 'pending'],
        [9, '?', 'pending'],
      ],
    );
    assert.equal(effectKind(null), '?');
    assert.equal(effectKind({ kind: 'line-message' }), 'line-message');
    const long = snapshot.effects[1]!.lastError!.message;
    assert.ok(long.length <= 300 && !/[\n\t]/.test(long), 'messages are capped and on one line');
  });

  it('summarises each destination: pending, oldest age, dead letters, failing', () => {
    const stored = queueSnapshot(effects, now);
    const slack = stored.destinations.find((entry) => entry.destination === 'slack:C0123456789')!;
    assert.deepEqual(
      { pending: slack.pending, dead: slack.dead, oldest: slack.oldestPendingAt, failing: slack.failing },
      { pending: 1, dead: 1, oldest: now - 10_000, failing: true },
    );
    assert.equal(slack.lastError?.code, 'platform_error', 'a stopped daemon: failing when a pending effect had failed');
    assert.equal(stored.destinations.find((entry) => entry.destination === 'imessage:+15551234567')!.failing, false);
    assert.match(
      destinationLine(slack, now),
      /^slack:C0123456789 — 1 pending \(oldest 10s\), 1 dead letter, failing \(platform_error: HTTP 503 from Slack with tabs x+…\)$/,
    );

    const live = queueSnapshot(effects, now, [
      {
        destination: 'slack:C0123456789',
        pending: 1,
        oldestCreatedAt: now - 10_000,
        dead: 1,
        failingSince: now - 65_000,
        lastError: effects[1]!.lastError,
      },
      {
        destination: 'discord:9999',
        pending: 0,
        oldestCreatedAt: undefined,
        dead: 0,
        failingSince: undefined,
        lastError: undefined,
      },
    ]);
    const liveSlack = live.destinations.find((entry) => entry.destination === 'slack:C0123456789')!;
    assert.match(destinationLine(liveSlack, now), /failing for 1m5s \(platform_error: /);
    const idle = live.destinations.find((entry) => entry.destination === 'discord:9999')!;
    assert.equal(destinationLine(idle, now), 'discord:9999 — nothing pending, ok');
  });

  it('lists each effect under its destination with id, kind, state, age, attempts and last error', () => {
    const listing = renderQueue(queueSnapshot(effects, now), 'Queue:');
    const lines = listing.split('\n');
    assert.equal(lines[0], 'Queue:');
    assert.ok(lines.includes('  ID  KIND  STATE    AGE    ATTEMPTS  LAST ERROR'), listing);
    assert.ok(
      lines.some((line) =>
        /^ {2}3 {3}post {2}dead {5}3m12s {2}0 {9}not_found: Slack refused chat\.postMessage: channel_not_found$/.test(
          line,
        ),
      ),
      listing,
    );
    assert.ok(
      lines.some((line) =>
        /^ {2}4 {3}mark {2}pending {2}10s {4}4 {9}platform_error: HTTP 503 from Slack with tabs x+…$/.test(line),
      ),
      listing,
    );
    assert.ok(
      lines.some((line) => /^ {2}9 {3}\? {5}pending {2}0s /.test(line)),
      'a future createdAt is 0s old',
    );
    assert.match(listing, /3 pending, 1 dead letter\.\nPut dead letters back with `threadline queue retry <id>`/);
    assert.ok(
      lines.every((line) => [...line].length <= 140),
      'no line runs on',
    );
    assert.equal(renderQueue(queueSnapshot([], now), 'Queue:'), 'Queue:\n\nNothing pending and no dead letters.');
  });

  it('caps the rows per destination and says how many more --json has', () => {
    const many = Array.from({ length: 30 }, (_, index) => effect(index + 1));
    assert.match(
      renderQueue(queueSnapshot(many, now), 'Q'),
      /… and 5 more \(threadline queue --json lists every one\)/,
    );
  });

  it('re-queues dead letters only, in id order, and reports the others', () => {
    const store = new Map(effects.map((entry) => [entry.id, entry]));
    const requeued: number[] = [];
    const source = { get: (id: number) => store.get(id), list: () => [...store.values()] };
    const requeue = (id: number) => (requeued.push(id), true);
    assert.deepEqual(retryDeadLetters({ all: true }, source, requeue), { retried: [3], unknown: [], notDead: [] });
    assert.deepEqual(retryDeadLetters({ ids: [999, 4, 3, 3] }, source, requeue), {
      retried: [3],
      unknown: [4, 999],
      notDead: [4],
    });
    assert.deepEqual(requeued, [3, 3]);
    assert.match(
      describeNotRetried(4, { retried: [], unknown: [4], notDead: [4] }),
      /effect 4 is pending, not a dead letter/,
    );
    assert.match(describeNotRetried(999, { retried: [], unknown: [999], notDead: [] }), /no effect 999/);
    assert.equal(
      renderRetried({ retried: [], unknown: [], notDead: [] }, 'all', true),
      'No dead letters: nothing to retry.',
    );
    assert.match(
      renderRetried({ retried: [3, 5], unknown: [], notDead: [] }, 'all', true),
      /^Re-queued 2 dead letters: 3, 5\.\n.*they run/,
    );
    assert.match(
      renderRetried({ retried: [3], unknown: [], notDead: [] }, 3, false),
      /^Re-queued dead letter 3\.\nThreadline is not running: .*it resumes at its next start/,
    );
  });

  it('parses retry requests strictly', () => {
    assert.deepEqual(parseRetryRequest({ all: true }), { all: true });
    assert.deepEqual(parseRetryRequest({ ids: [1, 2] }), { ids: [1, 2] });
    for (const bad of [
      null,
      [],
      'x',
      {},
      { all: false },
      { all: true, ids: [1] },
      { ids: [] },
      { ids: [0] },
      { ids: ['1'] },
      { ids: [1.5] },
    ]) {
      assert.equal(typeof parseRetryRequest(bad), 'string', JSON.stringify(bad));
    }
  });
});

describe('threadline queue arguments and help', () => {
  it('parses list, retry <id>, retry --all and --json', () => {
    assert.deepEqual(queueActionOf(parseCliArgs(['queue'])), { kind: 'list' });
    assert.equal(parseCliArgs(['queue', '--json']).json, true);
    assert.deepEqual(queueActionOf(parseCliArgs(['queue', 'retry', '42'])), { kind: 'retry', id: 42 });
    assert.deepEqual(queueActionOf(parseCliArgs(['queue', 'retry', '--all'])), { kind: 'retry', all: true });
  });

  it('refuses what it does not take, pointing at the help', () => {
    for (const argv of [
      ['queue', 'retry'],
      ['queue', 'retry', '0'],
      ['queue', 'retry', 'abc'],
      ['queue', 'retry', '1', '2'],
      ['queue', 'retry', '1', '--all'],
      ['queue', '--all'],
      ['queue', 'purge'],
      ['queue', '--url', 'x'],
      ['check', '--json'],
      ['start', '--all'],
    ]) {
      assert.throws(
        () => parseCliArgs(argv),
        (error: unknown) => error instanceof UsageError && /--help/.test(error.message),
        argv.join(' '),
      );
    }
  });

  it('refuses a negative id as an unknown option', () => {
    assert.throws(() => parseCliArgs(['queue', 'retry', '-1']), UsageError);
  });

  it('describes the command in the general usage and in queue --help', () => {
    assert.match(usage, /queue {15}list pending effects and dead letters/);
    assert.match(usage, /queue retry <id>/);
    const help = usageFor(parseCliArgs(['queue', '--help']));
    assert.match(help, /^Usage: threadline queue \[--json\]/);
    assert.match(help, /GET \/admin\/queue/);
    assert.match(help, /loopback-only/);
    assert.equal(usageFor(parseCliArgs(['help', 'queue'])), help);
  });

  it('asks the daemon on 127.0.0.1 unless server.host is one specific address', () => {
    assert.equal(adminBaseUrl({ host: '0.0.0.0', port: 8080 }), 'http://127.0.0.1:8080');
    assert.equal(adminBaseUrl({ host: '::', port: 8080 }), 'http://127.0.0.1:8080');
    assert.equal(adminBaseUrl({ host: '127.0.0.1', port: 9000 }), 'http://127.0.0.1:9000');
    assert.equal(adminBaseUrl({ host: '10.0.0.5', port: 9000 }), 'http://10.0.0.5:9000');
    assert.equal(adminBaseUrl({ host: '::1', port: 9000 }), 'http://[::1]:9000');
    assert.equal(adminBaseUrl({ host: 'localhost', port: 9000 }), 'http://localhost:9000');
    assert.equal(adminBaseUrl({ host: '0.0.0.0', port: 0 }), undefined);
  });
});

// The JSON the CLI prints with --json is the snapshot itself: it stays plain data.
const _typecheck: QueueSnapshot = queueSnapshot([], now);
void _typecheck;
