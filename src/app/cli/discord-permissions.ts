/** The Discord permissions the bridge uses in a route channel and its threads. */
export const discordPermissions = {
  viewChannel: { bit: 1n << 10n, name: 'View Channel' },
  sendMessages: { bit: 1n << 11n, name: 'Send Messages' },
  sendMessagesInThreads: { bit: 1n << 38n, name: 'Send Messages in Threads' },
  createPublicThreads: { bit: 1n << 35n, name: 'Create Public Threads' },
  readMessageHistory: { bit: 1n << 16n, name: 'Read Message History' },
  addReactions: { bit: 1n << 6n, name: 'Add Reactions' },
  attachFiles: { bit: 1n << 15n, name: 'Attach Files' },
  manageWebhooks: { bit: 1n << 29n, name: 'Manage Webhooks' },
} as const;

export type DiscordPermission = keyof typeof discordPermissions;

const administrator = 1n << 3n;
const everything = (1n << 64n) - 1n;

/** A role as GET /guilds/:id lists it. */
export interface GuildRole {
  readonly id: string;
  /** Decimal permission bits. */
  readonly permissions: string;
}

/** A channel permission overwrite: type 0 = role, 1 = member. */
export interface PermissionOverwrite {
  readonly id: string;
  readonly type: number;
  readonly allow: string;
  readonly deny: string;
}

export interface PermissionInput {
  readonly guildId: string;
  readonly ownerId: string | undefined;
  readonly roles: readonly GuildRole[];
  readonly memberId: string;
  readonly memberRoles: readonly string[];
  readonly overwrites: readonly PermissionOverwrite[];
}

function bits(value: string): bigint {
  return /^\d+$/.test(value) ? BigInt(value) : 0n;
}

/**
 * The member's effective permissions in a channel, the way Discord computes them: @everyone plus the
 * member's roles (Administrator or ownership grants everything), then the channel's @everyone overwrite,
 * the member's role overwrites together, and the member's own overwrite.
 */
export function channelPermissions(input: PermissionInput): bigint {
  if (input.ownerId === input.memberId) return everything;
  const roleBits = new Map(input.roles.map((role) => [role.id, bits(role.permissions)]));
  let permissions = roleBits.get(input.guildId) ?? 0n;
  for (const role of input.memberRoles) permissions |= roleBits.get(role) ?? 0n;
  if ((permissions & administrator) !== 0n) return everything;
  const apply = (overwrite: { allow: bigint; deny: bigint } | undefined) => {
    if (overwrite) permissions = (permissions & ~overwrite.deny) | overwrite.allow;
  };
  const parse = (overwrite: PermissionOverwrite) => ({ allow: bits(overwrite.allow), deny: bits(overwrite.deny) });
  const everyone = input.overwrites.find((overwrite) => overwrite.type === 0 && overwrite.id === input.guildId);
  apply(everyone && parse(everyone));
  const memberRoles = new Set(input.memberRoles);
  const roleOverwrites = input.overwrites
    .filter((overwrite) => overwrite.type === 0 && memberRoles.has(overwrite.id))
    .map(parse)
    .reduce((all, one) => ({ allow: all.allow | one.allow, deny: all.deny | one.deny }), { allow: 0n, deny: 0n });
  apply(roleOverwrites);
  const own = input.overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === input.memberId);
  apply(own && parse(own));
  return permissions;
}

/** Which of `wanted` the permission bits lack. */
export function missingPermissions(granted: bigint, wanted: readonly DiscordPermission[]): DiscordPermission[] {
  return wanted.filter((name) => (granted & discordPermissions[name].bit) === 0n);
}

/** Every permission the bridge uses, as the `permissions` integer of an invite URL. */
export function invitePermissions(): string {
  return Object.values(discordPermissions)
    .reduce((all, permission) => all | permission.bit, 0n)
    .toString();
}
