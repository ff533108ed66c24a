import { invalidParameter, missingParameter } from './errors.js';

/** Request parameters: the JSON body of a write or the query of a read. */
export type Params = Readonly<Record<string, unknown>>;

export function requireString(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameter(name, `${name} must be a string`);
  return value;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, `${name} must be a string`);
  return value;
}

/** A required id that must carry a messages.dev prefix (wrong prefix → invalid_parameter_value). */
export function requirePrefixedId(params: Params, name: string, prefix: string): string {
  const value = requireString(params, name);
  if (!value.startsWith(prefix)) throw invalidParameter(name, `${name} must be a ${prefix}… id`);
  return value;
}
