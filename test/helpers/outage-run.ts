import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { sumTallies, tallyStream, type StreamTally } from './chaos-tally.js';
import { discordTexts, discordThreads, slackTexts } from './conversation-view.js';
import { waitFor } from './wait-for.js';
import { slackChannel, startWorld, type World } from './world.js';

export type Platform = 'imessage' | 'slack' | 'discord';
/** Where people read: the team's Slack and Discord threads, and the customer's phone. */
type Destination = 'slack' | 'discord' | 'phone';
const destinations: readonly Destination[] = ['slack', 'discord', 'phone'];
const destinationOf = { imessage: 'phone', slack: 'slack', discord: 'discord' } as const;

/** Each platform alone, then all three at once. */
export const outageScenarios: readonly (readonly Platform[])[] = [
  ['imessage'],
  ['slack'],
  ['discord'],
  ['imessage', 'slack', 'discord'],
];

/** The outage length in seconds: `OUTAGE_SECONDS` (for a quick dry run), else `fallback`. */
export function outageSeconds(fallback: number): number {
  const value = process.env['OUTAGE_SECONDS'];
  const seconds = Number(value ?? fallback);
  if (!(seconds > 0)) throw new Error(`OUTAGE_SECONDS must be a positive number of seconds, not ${value}`);
  return seconds;
}

/** Production backoff: 1 s doubling to 2 min. */
const effectRetry = { baseMs: 1000, capMs: 120_000 };
/** How long the daemon looks for a messages.dev send in doubt before sending it again (its default). */
const phoneReconcileWindowMs = 120_000;
/** The simulated Slack posts 1 message/s per channel; every chat shares the route's channel. */
const slackPostMs = 1000;
/** How soon a platform that is up must show what was sent. */
const upWithinMs = 5000;
const chats = 3;

/** One thing said: a customer text, or a team reply written in a Slack or Discord thread. */
interface Sent {
  readonly chat: number;
  readonly from: 'customer' | 'slack' | 'discord';
  readonly token: string;
}
const readersOf: Record<Sent['from'], readonly Destination[]> = {
  customer: ['slack', 'discord'],
  slack: ['discord', 'phone'],
  discord: ['slack', 'phone'],
};

/** What one scenario measured: the JSON line it prints. */
export interface OutageFigures {
  readonly scenario: string;
  readonly outageSeconds: number;
  readonly texts: number;
  readonly replies: number;
  readonly lost: Record<Destination, number>;
  readonly duplicated: Record<Destination, number>;
  readonly outOfOrder: Record<Destination, number>;
  /** During the outage, the longest the platforms that were up took to show a text or reply (null: none up). */
  readonly upLagSeconds: number | null;
  /** How many took longer than `upWithinMs`. */
  readonly upLate: number;
  /**
   * The same for replies written on the team platform that was down (its API is down, its events are not),
   * which are not held to `upWithinMs`; null when there were none.
   */
  readonly fromDownLagSeconds: number | null;
  /** From the end of the outage until everything was everywhere; null when not within the bound. */
  readonly recoverySeconds: number | null;
  /** API requests the platforms that were down refused. */
  readonly refused: Partial<Record<Platform, number>>;
  readonly deadLetters: number;
  /** Lines the daemon logged at error level or above. */
  readonly errorLogs: number;
}

/**
 * The traffic of one outage: per chat, texts and replies from both team platforms spread evenly over it
 * (about a text per 10 s and a reply per 30 s per platform, capped at 30 and 10 for long outages), the chats
 * staggered; sorted by when they are sent, in ms from the start of the outage.
 */
function schedule(outageMs: number): Array<Sent & { readonly atMs: number }> {
  const texts = Math.min(30, Math.max(2, Math.round(outageMs / 10_000)));
  const replies = Math.min(10, Math.max(1, Math.round(outageMs / 30_000)));
  const events: Array<Sent & { atMs: number }> = [];
  for (let chat = 0; chat < chats; chat++) {
    const at = (fraction: number) => (fraction + chat / (chats * (texts + 2 * replies))) * outageMs;
    for (let n = 1; n <= texts; n++) {
      events.push({ chat, from: 'customer', token: `c${chat}-t${n}`, atMs: at((n - 0.75) / texts) });
    }
    for (let n = 1; n <= replies; n++) {
      events.push({ chat, from: 'slack', token: `c${chat}-s${n}`, atMs: at((n - 0.5) / replies) });
      events.push({ chat, from: 'discord', token: `c${chat}-d${n}`, atMs: at((n - 0.25) / replies) });
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** What each destination should show of each chat, in order, once `sent` (in send order) is delivered. */
function expected(sent: readonly Sent[]): Record<Destination, string[][]> {
  return perDestination((d) =>
    Array.from({ length: chats }, (_, chat) =>
      sent.filter((item) => item.chat === chat && readersOf[item.from].includes(d)).map((item) => item.token),
    ),
  );
}

function perDestination<T>(of: (d: Destination) => T): Record<Destination, T> {
  return { slack: of('slack'), discord: of('discord'), phone: of('phone') };
}

/** What `d` shows of a chat now: its thread (chat i opened the i-th) or, at the phone, the sends to its chat. */
function shown(world: World, chatIds: readonly string[], d: Destination, chat: number): string[] {
  if (d === 'slack') return slackTexts(world, chat);
  if (d === 'discord') return discordTexts(world, chat);
  return world.phone.state.outbox
    .filter((item) => item.kind === 'message' && item.chat_id === chatIds[chat])
    .map((item) => String((item.payload as { text?: unknown }).text));
}

function simOf(world: World, platform: Platform) {
  return platform === 'imessage' ? world.phone : platform === 'slack' ? world.slack! : world.discord!;
}

const customerOf = (chat: number) => `+1555400000${chat}`;

async function send(world: World, chatIds: readonly string[], item: Sent): Promise<void> {
  const text = item.token;
  if (item.from === 'customer') {
    await world.phone.simulateInbound({ from: customerOf(item.chat), chat: chatIds[item.chat]!, text });
  } else if (item.from === 'slack') {
    const root = world.slack!.state.messages(slackChannel)[item.chat]!;
    await world.slack!.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text });
  } else {
    const thread = discordThreads(world)[item.chat]!;
    await world.discord!.postAsMember({ userId: '444444444444444441', channelId: thread.id, content: text });
  }
}

/** Opens each chat with a first text and waits until it has its Slack and Discord threads (chat i the i-th). */
async function openChats(world: World, sent: Sent[]): Promise<string[]> {
  const chatIds: string[] = [];
  for (let chat = 0; chat < chats; chat++) {
    const opening: Sent = { chat, from: 'customer', token: `c${chat}-t0` };
    const { chatId } = await world.phone.simulateInbound({ from: customerOf(chat), text: opening.token });
    chatIds.push(chatId);
    sent.push(opening);
    await waitFor(() => slackTexts(world, chat).length === 1 && discordTexts(world, chat).length === 1, {
      timeoutMs: 10_000,
      message: `chat ${chat} opened in Slack and Discord`,
    });
  }
  return chatIds;
}

/**
 * Sends the traffic of an outage of `seconds` that started at `began` (appending to `sent`), and times each
 * text or reply until every platform in `up` that should show it does. Resolves when the outage is to end.
 */
async function sendDuringOutage(
  world: World,
  chatIds: readonly string[],
  sent: Sent[],
  up: readonly Destination[],
  began: number,
  seconds: number,
): Promise<Array<{ item: Sent; ms: number }>> {
  const endsAt = began + seconds * 1000;
  const lags: Array<Promise<{ item: Sent; ms: number }>> = [];
  for (const item of schedule(seconds * 1000)) {
    await delay(Math.max(0, began + item.atMs - Date.now()));
    await send(world, chatIds, item);
    sent.push(item);
    const sentAt = Date.now();
    const readers = readersOf[item.from].filter((d) => up.includes(d));
    if (readers.length === 0) continue;
    const arrived = () => readers.every((d) => shown(world, chatIds, d, item.chat).includes(item.token));
    // Watched until the outage ends, and for at least upWithinMs (something late can hold the end up that long).
    const timeoutMs = Math.max(upWithinMs, endsAt - sentAt);
    const measured = () => ({ item, ms: Date.now() - sentAt });
    lags.push(waitFor(arrived, { timeoutMs, intervalMs: 50 }).then(measured, measured));
  }
  const timed = await Promise.all(lags);
  await delay(Math.max(0, endsAt - Date.now()));
  return timed;
}

/**
 * One outage scenario. Three chats open in Slack and Discord; then `down` answers every API call with 503
 * for `seconds` (event connections stay up) while texts and replies keep coming. The platforms that are up
 * must show each within `upWithinMs`; after the outage everything must arrive exactly once, in order, with
 * no dead letter, within the backoff cap plus the daemon's messages.dev reconcile window plus Slack's pace
 * for the backlog. Prints the figures as one JSON line.
 */
export async function runOutage(t: TestContext, down: readonly Platform[], seconds: number): Promise<OutageFigures> {
  const world = await startWorld(t, { slack: {}, discord: {}, effectRetry });
  const sent: Sent[] = [];
  const chatIds = await openChats(world, sent);
  const up = destinations.filter((d) => !down.some((platform) => destinationOf[platform] === d));
  for (const platform of down) simOf(world, platform).startOutage({ mode: '503' });
  const timed = await sendDuringOutage(world, chatIds, sent, up, Date.now(), seconds);
  for (const platform of down) simOf(world, platform).endOutage();
  const ended = Date.now();

  const want = expected(sent);
  const boundMs = effectRetry.capMs + phoneReconcileWindowMs + 30_000 + want.slack.flat().length * slackPostMs;
  const complete = () =>
    destinations.every((d) =>
      want[d].every((tokens, chat) => {
        const now = shown(world, chatIds, d, chat);
        return tokens.every((token) => now.includes(token));
      }),
    );
  const recoveredAt = await waitFor(complete, { timeoutMs: boundMs, intervalMs: 200 }).then(
    () => Date.now(),
    () => undefined,
  );
  // Anything doubled would show within a few seconds.
  await delay(3000);

  const final = perDestination((d) => want[d].map((_, chat) => shown(world, chatIds, d, chat)));
  const tallies = perDestination((d) =>
    sumTallies(want[d].map((tokens, chat) => tallyStream(`${d} c${chat}`, tokens, final[d][chat]!))),
  );
  const per = (key: keyof StreamTally) => perDestination((d) => tallies[d][key]);
  const fromDown = (item: Sent) => down.some((platform) => platform === item.from);
  const upLags = timed.filter(({ item }) => !fromDown(item)).map(({ ms }) => ms);
  const fromDownLags = timed.filter(({ item }) => fromDown(item)).map(({ ms }) => ms);
  const dead = world.daemon.app.store!.effects.list().filter((effect) => effect.deadAt !== undefined);
  const figures: OutageFigures = {
    scenario: `${down.join('+')} down`,
    outageSeconds: seconds,
    texts: sent.filter((item) => item.from === 'customer').length,
    replies: sent.filter((item) => item.from !== 'customer').length,
    lost: per('lost'),
    duplicated: per('duplicated'),
    outOfOrder: per('outOfOrder'),
    upLagSeconds: upLags.length > 0 ? Math.max(...upLags) / 1000 : null,
    upLate: upLags.filter((ms) => ms > upWithinMs).length,
    fromDownLagSeconds: fromDownLags.length > 0 ? Math.max(...fromDownLags) / 1000 : null,
    recoverySeconds: recoveredAt === undefined ? null : (recoveredAt - ended) / 1000,
    refused: Object.fromEntries(down.map((platform) => [platform, simOf(world, platform).outageRefusals.length])),
    deadLetters: dead.length,
    errorLogs: world.daemon.lines.filter((line) => line.level === 'error' || line.level === 'fatal').length,
  };
  console.log(JSON.stringify(figures));

  assert.notEqual(recoveredAt, undefined, `${figures.scenario}: everything delivered within ${boundMs} ms`);
  assert.deepEqual(final, want, `${figures.scenario}: every text and reply exactly once, in order`);
  assert.deepEqual(dead, [], `${figures.scenario}: no dead letters`);
  assert.equal(figures.upLate, 0, `${figures.scenario}: the platforms that were up kept flowing`);
  return figures;
}
