import { z } from 'zod';

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
}

/** Each schema's JSON Schema, built on the first unknown key it meets. */
const cache = new WeakMap<z.ZodType, JsonSchemaNode>();

/** The closest key `schema` knows to an unknown one at the same place, when it is close enough to be a typo. */
export function suggestKey(schema: z.ZodType, parentPath: readonly PropertyKey[], unknown: string): string | undefined {
  let root = cache.get(schema);
  if (!root) {
    root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    cache.set(schema, root);
  }
  let node: JsonSchemaNode | undefined = root;
  for (const part of parentPath) {
    node = node && (typeof part === 'number' ? node.items : objectOf(node)?.properties?.[String(part)]);
  }
  const known = Object.keys(objectOf(node)?.properties ?? {});
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(key.toLowerCase(), unknown.toLowerCase());
    if (!best || distance < best.distance) best = { key, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(unknown.length / 3)) ? best.key : undefined;
}

function objectOf(node: JsonSchemaNode | undefined): JsonSchemaNode | undefined {
  return node?.properties ? node : node?.anyOf?.find((option) => option.properties);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
