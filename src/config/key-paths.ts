import { z } from 'zod';

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
}

/**
 * Every key `schema` knows, as dotted paths (`routes[].slack.channel`), read from the schema itself
 * so documentation can be checked against it.
 */
export function configKeyPaths(schema: z.ZodType): string[] {
  const paths: string[] = [];
  const walk = (node: JsonSchemaNode | undefined, path: string): void => {
    if (!node) return;
    for (const option of [node, ...(node.anyOf ?? [])]) {
      for (const [key, child] of Object.entries(option.properties ?? {})) {
        const childPath = path ? `${path}.${key}` : key;
        paths.push(childPath);
        walk(child, childPath);
      }
      if (option.type === 'array') walk(option.items, `${path}[]`);
    }
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode, '');
  return [...new Set(paths)];
}
