import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { interpolateEnv } from './interpolate.js';
import { formatPath } from './path.js';
import { suggestKey } from './suggest.js';

export interface LoadConfigInput {
  /** The YAML text; read from `path` when absent. */
  readonly text?: string;
  /** Where the text came from, for messages (and read when `text` is absent). */
  readonly path: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads, interpolates and validates a configuration against `schema` once, reporting every problem at
 * once with its key path and a fix, and returns a deeply frozen result. The schema is passed in: the one
 * that knows the bridges' blocks is assembled by the composition root (src/app/config-schema.ts).
 * @throws ConfigError with all issues.
 */
export async function loadConfigWith<S extends z.ZodType>(schema: S, input: LoadConfigInput): Promise<z.output<S>> {
  const text = input.text ?? (await readConfigText(input.path));
  return parseConfigWith(schema, text, input.path, input.env);
}

/** The synchronous part of {@link loadConfigWith}, for text already in hand. */
export function parseConfigWith<S extends z.ZodType>(
  schema: S,
  text: string,
  source: string,
  env: LoadConfigInput['env'],
): z.output<S> {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, intAsBigInt: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => ({ path: '', message: `${source}: invalid YAML: ${error.message}` })),
      'config_unreadable',
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const { value, issues: envIssues } = interpolateEnv(raw, env);
  const result = schema.safeParse(value);
  const envPaths = new Set(envIssues.map((issue) => issue.path));
  const schemaIssues = result.success
    ? []
    : result.error.issues.flatMap((issue) => describeIssue(schema, issue, value));
  // A key whose variable is missing is reported once, for the variable, not again as an empty value.
  const issues = [...envIssues, ...schemaIssues.filter((issue) => !envPaths.has(issue.path))];
  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  return deepFreeze(result.data);
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(
      [
        {
          path: '',
          message: `cannot read config ${path}: ${reason}; pass --config PATH, set THREADLINE_CONFIG, or copy config/threadline.example.yaml to config/threadline.yaml`,
        },
      ],
      'config_unreadable',
    );
  }
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, input: unknown): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = formatPath([...issue.path, key]);
      const suggestion = suggestKey(schema, issue.path, key);
      return {
        path,
        message: suggestion
          ? `unknown key; did you mean "${suggestion}"?`
          : 'unknown key; remove it (see config/threadline.example.yaml)',
      };
    });
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object' && valueAt(input, issue.path) === null) {
    return [{ path: formatPath(issue.path), message: 'is empty; fill in its keys or remove the block' }];
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
