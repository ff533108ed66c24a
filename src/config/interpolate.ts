import type { ConfigIssue } from '../core/errors.js';
import { formatPath } from './path.js';

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree. A variable the file
 * references but the environment lacks (and that has no default) becomes an issue naming the variable
 * and the key. Interpolating after parsing means a value can never inject YAML structure.
 */
export function interpolateEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];

  const visit = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(reference, (_match, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        issues.push({
          path: formatPath(path),
          message: `environment variable ${name} is not set; export ${name}=… (or write \${${name}:-default})`,
        });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value, [...path, key])]));
    }
    return node;
  };

  return { value: visit(tree, []), issues };
}
