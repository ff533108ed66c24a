import type { ResolvableEvent } from '../../src/core/bridge.js';
import { discordToPlain } from './format.js';
import { authorOf, type InboundScope } from './inbound.js';
import type { DiscordNameLookup } from './names.js';

/**
 * Finishes an event journaled as it arrived: Discord markup to plain text with the names it mentions, the
 * author's display name, and the role allow-list when the member was not at hand then. Reads only (from the
 * cache, else once over REST); a Discord that cannot answer makes the effect wait, never guess.
 */
export async function resolveDiscordEvent<E extends ResolvableEvent>(
  deps: { readonly names: DiscordNameLookup; readonly scope: InboundScope },
  event: E,
): Promise<E> {
  if (!event.unresolved) return event;
  const guild = deps.names.guildOf(event.origin.channel);
  const member = await deps.names.memberOf(guild, event.author.id, true);
  const looked = authorOf(
    { id: event.author.id, displayName: member?.user.displayName ?? event.author.name ?? null },
    member,
    deps.scope,
  );
  // A refusal decided when the event arrived stands.
  const author = event.author.mayText === false ? { ...looked, mayText: false } : looked;
  const { unresolved: _unresolved, ...rest } = event;
  if (rest.kind !== 'message') return { ...rest, author } as E;
  const text = discordToPlain(rest.text, await deps.names.namesIn(rest.text, guild));
  return { ...rest, author, text } as E;
}
