import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const secret = 'whsec_runtime_layout';

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error }));
      else resolve();
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * What the Dockerfile's runtime stage holds, built the same way but without Docker: production
 * dependencies from the lockfile, the tsc output in dist/, bin/, the example config, the demo page's
 * static files and package.json. Keep it in step with the Dockerfile's COPY lines.
 */
async function buildRuntimeLayout(dir: string): Promise<void> {
  await Promise.all([
    copyFile(join(root, 'package.json'), join(dir, 'package.json')),
    copyFile(join(root, 'package-lock.json'), join(dir, 'package-lock.json')),
    mkdir(join(dir, 'config')),
  ]);
  await Promise.all([
    // The npm cache (filled by the repository's own `npm ci`) serves every tarball; the registry only if it must.
    run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], dir),
    run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], root),
    cp(join(root, 'bin'), join(dir, 'bin'), { recursive: true }),
    copyFile(join(root, 'config/threadline.example.yaml'), join(dir, 'config/threadline.example.yaml')),
    cp(join(root, 'src/app/demo/public'), join(dir, 'src/app/demo/public'), { recursive: true }),
  ]);
}

describe('the Docker runtime layout (production dependencies + built output, no Docker engine needed)', () => {
  it(
    'starts from dist with production dependencies only, answers /healthz, and exits 0 on SIGTERM',
    { timeout: 180_000 },
    async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'threadline-runtime-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      await buildRuntimeLayout(dir);

      for (const devOnly of ['tsx', 'typescript', 'eslint', 'prettier', 'pino-pretty']) {
        assert.equal(await exists(join(dir, 'node_modules', devOnly)), false, `${devOnly} is not installed`);
      }
      for (const runtime of ['fastify', 'pino', '@slack/bolt', 'discord.js', 'zod']) {
        assert.equal(await exists(join(dir, 'node_modules', runtime)), true, `${runtime} is installed`);
      }
      assert.equal(await exists(join(dir, 'dist/src/app/main.js')), true, 'the build emitted dist/src/app/main.js');
      assert.equal(await exists(join(dir, 'src/app/main.ts')), false, 'no TypeScript source in the layout');

      const sim = await startMessagesDevSimulator({ webhookSecret: secret });
      t.after(() => sim.close());
      await writeFile(
        join(dir, 'threadline.yaml'),
        [
          'imessage:',
          `  apiUrl: ${sim.apiUrl}`,
          '  apiKey: ${MESSAGES_API_KEY}',
          '  webhookSecret: ${MESSAGES_WEBHOOK_SECRET}',
          'server: { host: 127.0.0.1, port: 0 }',
          'store: { path: ./data/threadline.json }',
        ].join('\n'),
      );
      const child = spawn(process.execPath, ['bin/threadline.js', 'start', '--config', 'threadline.yaml'], {
        cwd: dir,
        env: {
          PATH: process.env['PATH'] ?? '',
          NODE_ENV: 'production',
          MESSAGES_API_KEY: sim.apiKey,
          MESSAGES_WEBHOOK_SECRET: secret,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      t.after(() => child.kill('SIGKILL'));
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      const started = await waitFor(
        () =>
          stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .find((line) => line['msg'] === 'Threadline started'),
        { timeoutMs: 20_000, message: `"Threadline started" (stderr: ${stderr})` },
      );
      const health = await fetch(`${String(started['url'])}/healthz`);
      assert.equal(health.status, 200);

      child.kill('SIGTERM');
      assert.equal(await exited, 0, `exit 0 after SIGTERM (stderr: ${stderr})`);
      assert.match(stdout, /"msg":"Stopped cleanly"/);
      assert.equal(await exists(join(dir, 'data/threadline.json')), true, 'the store was written under ./data');
    },
  );
});
