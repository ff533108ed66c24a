import { invalidFormBody } from './errors.js';
import type { SimState } from './state.js';

export interface ResolvedMentions {
  mentions: string[];
  mention_roles: string[];
  mention_everyone: boolean;
}

const PARSE_VALUES = new Set(['users', 'roles', 'everyone']);

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
    throw invalidFormBody(['allowed_mentions', field], 'BASE_TYPE_ARRAY', 'Must be an array.');
  }
  return value.map(String);
}

interface AllowedMentions {
  parse: Set<string>;
  users: string[] | undefined;
  roles: string[] | undefined;
  repliedUser: boolean;
}

/** Validates allowed_mentions the way Discord does (unknown parse values, users/roles clashing with parse). */
export function readAllowedMentions(value: unknown): AllowedMentions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidFormBody(['allowed_mentions'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  }
  const input = value as Record<string, unknown>;
  const parse = stringList(input['parse'], 'parse') ?? [];
  for (const item of parse) {
    if (!PARSE_VALUES.has(item)) {
      throw invalidFormBody(
        ['allowed_mentions', 'parse'],
        'BASE_TYPE_CHOICES',
        `Value must be one of {'users', 'roles', 'everyone'}.`,
      );
    }
  }
  const users = stringList(input['users'], 'users');
  const roles = stringList(input['roles'], 'roles');
  for (const [kind, list] of [
    ['users', users],
    ['roles', roles],
  ] as const) {
    if (list && list.length > 0 && parse.includes(kind)) {
      throw invalidFormBody(
        ['allowed_mentions'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
      );
    }
    if (list && list.length > 100) {
      throw invalidFormBody(['allowed_mentions', kind], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    }
  }
  return { parse: new Set(parse), users, roles, repliedUser: input['replied_user'] === true };
}

/**
 * Who a message really pings: the `<@id>`, `<@&id>`, `@everyone`/`@here` in its content, filtered by
 * allowed_mentions (absent = everything allowed, as for a bot by default), plus the replied-to author.
 */
export function resolveMentions(
  state: SimState,
  content: string,
  allowed: AllowedMentions | undefined,
  repliedAuthorId: string | undefined,
): ResolvedMentions {
  const userIds = [...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1] ?? '');
  const roleIds = [...content.matchAll(/<@&(\d{17,20})>/g)].map((match) => match[1] ?? '');
  const userAllowed = (id: string): boolean =>
    !allowed || allowed.parse.has('users') || (allowed.users?.includes(id) ?? false);
  const roleAllowed = (id: string): boolean =>
    !allowed || allowed.parse.has('roles') || (allowed.roles?.includes(id) ?? false);
  const mentions = new Set(userIds.filter((id) => state.members.has(id) && userAllowed(id)));
  if (repliedAuthorId !== undefined && state.members.has(repliedAuthorId) && (!allowed || allowed.repliedUser)) {
    mentions.add(repliedAuthorId);
  }
  return {
    mentions: [...mentions],
    mention_roles: [
      ...new Set(roleIds.filter((id) => state.roles.has(id) && id !== state.guild.id && roleAllowed(id))),
    ],
    mention_everyone: /@(everyone|here)\b/.test(content) && (!allowed || allowed.parse.has('everyone')),
  };
}
