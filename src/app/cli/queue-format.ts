import type { QueueDestination, QueueEffect, QueueError, QueueSnapshot, RetryResult } from '../../server/queue-view.js';
import { renderTable } from './text-table.js';

/** Rows shown per destination; `--json` lists every effect. */
const maxRowsPerDestination = 25;
/** Widest "code: message" shown in a row. */
const maxErrorWidth = 72;

/** A duration for a person: `0s`, `45s`, `3m12s`, `2h5m`, `3d4h`. Negative (clock skew) counts as 0. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/** One line of at most `width` characters (an emoji counts once), ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex -- line breaks and controls would break the table
  const line = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** `code: message`, on one line, truncated. */
export function formatError(error: QueueError | null, width = maxErrorWidth): string {
  return error ? truncate(`${error.code}: ${error.message}`, width) : '';
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `slack:C0123 — 2 pending (oldest 3m12s), 1 dead letter, failing for 1m5s (code: message)` */
export function destinationLine(entry: QueueDestination, now: number): string {
  const parts: string[] = [];
  parts.push(
    entry.pending === 0
      ? 'nothing pending'
      : `${entry.pending} pending (oldest ${formatAge(now - (entry.oldestPendingAt ?? now))})`,
  );
  if (entry.dead > 0) parts.push(plural(entry.dead, 'dead letter'));
  if (entry.failing) {
    const since = entry.failingSince === null ? 'failing' : `failing for ${formatAge(now - entry.failingSince)}`;
    parts.push(entry.lastError ? `${since} (${formatError(entry.lastError, 60)})` : since);
  } else {
    parts.push('ok');
  }
  return `${entry.destination} — ${parts.join(', ')}`;
}

function effectRows(effects: readonly QueueEffect[], now: number): string[][] {
  return effects.map((effect) => [
    String(effect.id),
    effect.kind,
    effect.state,
    formatAge(now - effect.createdAt),
    String(effect.attempts),
    formatError(effect.lastError),
  ]);
}

/** The listing of `threadline queue`: a summary line per destination, then its effects. */
export function renderQueue(snapshot: QueueSnapshot, heading: string): string {
  const { now } = snapshot;
  const lines = [heading];
  if (snapshot.destinations.length === 0) {
    lines.push('', 'Nothing pending and no dead letters.');
    return lines.join('\n');
  }
  for (const entry of snapshot.destinations) {
    lines.push('', destinationLine(entry, now));
    const effects = snapshot.effects.filter((effect) => effect.destination === entry.destination);
    if (effects.length === 0) continue;
    const shown = effects.slice(0, maxRowsPerDestination);
    const table = renderTable(effectRows(shown, now), ['ID', 'KIND', 'STATE', 'AGE', 'ATTEMPTS', 'LAST ERROR']);
    lines.push(...table.map((line) => `  ${line}`));
    if (effects.length > shown.length) {
      lines.push(`  … and ${effects.length - shown.length} more (threadline queue --json lists every one)`);
    }
  }
  const pending = snapshot.effects.filter((effect) => effect.state === 'pending').length;
  const dead = snapshot.effects.length - pending;
  lines.push('', `${pending} pending, ${plural(dead, 'dead letter')}.`);
  if (dead > 0) {
    lines.push(
      'Put dead letters back with `threadline queue retry <id>`, or all of them with `threadline queue retry --all`.',
    );
  }
  return lines.join('\n');
}

/** What `queue retry` did, for a person; `daemonRunning` says when the retried effects will run. */
export function renderRetried(result: RetryResult, asked: 'all' | number, daemonRunning: boolean): string {
  if (result.retried.length === 0) return 'No dead letters: nothing to retry.';
  const what =
    asked === 'all'
      ? `Re-queued ${plural(result.retried.length, 'dead letter')}: ${result.retried.join(', ')}.`
      : `Re-queued dead letter ${asked}.`;
  const one = result.retried.length === 1;
  const when = daemonRunning
    ? `Pending again with a fresh age: ${one ? 'it runs' : 'they run'} as soon as the destination allows.`
    : `Threadline is not running: pending again with a fresh age, ${one ? 'it resumes' : 'they resume'} at its next start.`;
  return `${what}\n${when}`;
}

/** Why `queue retry <id>` did nothing: not an effect at all, or a pending one. */
export function describeNotRetried(id: number, result: RetryResult): string {
  return result.notDead.includes(id)
    ? `effect ${id} is pending, not a dead letter: it is retried on its own (see threadline queue).`
    : `no effect ${id}: it may have succeeded, or been pruned (dead letters are kept 14 days); see threadline queue.`;
}
