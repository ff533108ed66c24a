import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { interpolateEnv } from '../../src/config/interpolate.js';
import { configKeyPaths } from '../../src/config/key-paths.js';
import { parseConfig } from '../../src/app/load-config.js';
import { configSchema } from '../../src/app/config-schema.js';
import { ConfigError } from '../../src/core/errors.js';

const exampleEnv = {
  MESSAGES_API_KEY: 'sk_live_example',
  MESSAGES_WEBHOOK_SECRET: 'whsec_example',
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_APP_TOKEN: 'xapp-1-2-3',
  DISCORD_TOKEN: 'discord-token',
};

const minimal = `imessage:\n  apiKey: sk_live_k\n  webhookSecret: whsec_s\n`;

function issuesOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.code === 'config_invalid' || error.code === 'config_unreadable', true);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
}

describe('config/threadline.example.yaml', () => {
  it('loads through the schema with its environment variables set', async () => {
    const text = await readFile(new URL('../../config/threadline.example.yaml', import.meta.url), 'utf8');
    const config = parseConfig(text, 'example', exampleEnv);
    assert.equal(config.imessage.apiKey, 'sk_live_example');
    assert.equal(config.server.port, 8080);
    assert.equal(config.routes[0]?.slack?.channel, 'C0123456789');
    assert.equal(config.routes[0]?.discord?.mode, 'mirror');
  });

  it('documents every key of the schema (commented keys count)', async () => {
    const text = await readFile(new URL('../../config/threadline.example.yaml', import.meta.url), 'utf8');
    const keys = new Set<string>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      const properties = record['properties'];
      if (properties && typeof properties === 'object') {
        for (const [key, child] of Object.entries(properties)) {
          keys.add(key);
          walk(child);
        }
      }
      for (const nested of ['items', 'anyOf', 'allOf', 'oneOf']) {
        const value = record[nested];
        if (Array.isArray(value)) value.forEach(walk);
        else walk(value);
      }
    };
    walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
    assert.ok(keys.size > 20, 'schema walk found the keys');
    const undocumented = [...keys].filter((key) => !new RegExp(`(^|[\\s{,#-])${key}:`, 'm').test(text));
    assert.deepEqual(undocumented, []);
  });
});

describe('README configuration reference', () => {
  it('names every key of the schema', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const keys = configKeyPaths(configSchema).filter((path) => !path.startsWith('reactions.emoji.'));
    assert.ok(keys.length > 40);
    assert.deepEqual(
      keys.filter((key) => !readme.includes(`\`${key}\``)),
      [],
    );
  });
});

describe('parseConfig', () => {
  it('fills defaults for a config with only the imessage block, and freezes it', () => {
    const config = parseConfig(minimal, 'test.yaml', {});
    assert.equal(config.imessage.apiUrl, 'https://api.messages.dev/v1');
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.bodyLimitBytes, 1024 * 1024);
    assert.equal(config.store.path, './data/threadline.json');
    assert.deepEqual(config.routes, []);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.imessage));
  });

  it('interpolates ${VAR} and ${VAR:-default}, converting numbers where a number is expected', () => {
    const config = parseConfig(
      `imessage: { apiKey: "\${KEY}", webhookSecret: "\${SECRET:-fallback}" }\nserver: { port: "\${PORT:-9091}" }`,
      'test.yaml',
      { KEY: 'sk_live_from_env' },
    );
    assert.equal(config.imessage.apiKey, 'sk_live_from_env');
    assert.equal(config.imessage.webhookSecret, 'fallback');
    assert.equal(config.server.port, 9091);
  });

  it('names a referenced variable the environment lacks, once, with the key', () => {
    const issues = issuesOf(`imessage:\n  apiKey: \${MESSAGES_API_KEY}\n  webhookSecret: s\n`);
    assert.equal(issues.length, 1);
    assert.match(issues[0]!, /^imessage\.apiKey: environment variable MESSAGES_API_KEY is not set/);
  });

  it('reports every problem at once, each with its key path and a hint', () => {
    const issues = issuesOf(`
imessage:
  apiKey: k
  webhookSecret: s
  apiUrl: not-a-url
server:
  prot: 80
slack:
  botToken: xoxp-wrong
  appToken: xapp-1
routes:
  - line: "+15551234567"
    slack: { channel: general, mode: twoway }
    discord: { channel: 112233445566778899 }
  - line: "+15551234567"
    slack: { channel: C0123456789 }
`);
    const expected: [string, RegExp][] = [
      ['imessage.apiUrl', /expected an http\(s\) URL/],
      ['server.prot', /unknown key; did you mean "port"\?/],
      ['slack.botToken', /starting with xoxb-/],
      ['routes[0].slack.channel', /expected a Slack channel id like C0123456789/],
      ['routes[0].slack.mode', /"two-way", "mirror"/],
      ['routes[0].discord.channel', /quote it in YAML: "112233445566778899"/],
      ['routes[0].discord', /no top-level discord block/],
      ['routes[1].line', /already routed by routes\[0\]/],
    ];
    for (const [path, message] of expected) {
      const found = issues.find((issue) => issue.startsWith(`${path}: `));
      assert.ok(found, `missing issue for ${path} in:\n${issues.join('\n')}`);
      assert.match(found, message);
    }
    assert.equal(issues.length, expected.length, issues.join('\n'));
  });

  it('takes delivery.maxAgeHours as a number of hours (24 by default, fractions and ${VAR} allowed), and names the key when it is not one', () => {
    assert.equal(parseConfig(minimal, 't', {}).delivery.maxAgeHours, 24);
    assert.equal(parseConfig(`${minimal}delivery: { maxAgeHours: 0.5 }\n`, 't', {}).delivery.maxAgeHours, 0.5);
    assert.equal(
      parseConfig(`${minimal}delivery:\n  maxAgeHours: \${HOURS}\n`, 't', { HOURS: '48' }).delivery.maxAgeHours,
      48,
    );
    for (const bad of ['0', '0.00001', 'soon', '-1', '100000']) {
      const issues = issuesOf(`${minimal}delivery: { maxAgeHours: ${bad} }\n`);
      assert.equal(issues.length, 1, bad);
      assert.match(issues[0]!, /^delivery\.maxAgeHours: expected a number from 0\.0001 to 8760/);
    }
  });

  it('rejects unknown keys at the top level and inside blocks', () => {
    const issues = issuesOf(`${minimal}colour: blue\nstore: { pth: x }\n`);
    assert.deepEqual(issues.sort(), [
      'colour: unknown key; remove it (see config/threadline.example.yaml)',
      'store.pth: unknown key; did you mean "path"?',
    ]);
  });

  it('requires the imessage block and a way to reach Slack', () => {
    const issues = issuesOf(`slack: { botToken: xoxb-1 }\n`);
    assert.ok(issues.some((issue) => issue.startsWith('imessage: ')));
    assert.ok(issues.some((issue) => /^slack\.appToken: set appToken .* or signingSecret/.test(issue)));
  });

  it('reports invalid YAML with its position', () => {
    const issues = issuesOf('imessage: [unclosed');
    assert.equal(issues.length, 1);
    assert.match(issues[0]!, /invalid YAML/);
  });

  it('rejects a port out of range and a non-numeric one', () => {
    assert.match(
      issuesOf(`${minimal}server: { port: 70000 }`)[0]!,
      /^server\.port: expected a whole number from 0 to 65535/,
    );
    assert.match(issuesOf(`${minimal}server: { port: eighty }`)[0]!, /^server\.port: expected a whole number/);
  });
});

describe('interpolateEnv', () => {
  it('never lets a value inject YAML structure', () => {
    const { value, issues } = interpolateEnv({ a: '${X}' }, { X: 'b: c\nd: [e]' });
    assert.deepEqual(value, { a: 'b: c\nd: [e]' });
    assert.deepEqual(issues, []);
  });

  it('treats an empty variable as missing unless a default is given', () => {
    assert.equal(interpolateEnv({ a: '${X}' }, { X: '' }).issues.length, 1);
    assert.deepEqual(interpolateEnv({ a: '${X:-d}' }, { X: '' }).value, { a: 'd' });
  });
});
