import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A clone without dist/: bin, the source folders and package.json copied, node_modules made of links to this
 * checkout's packages (so the compiled trees land in the copy's own node_modules/.cache).
 */
async function cloneWithoutDist(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'threadline-clone-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await Promise.all(
    ['bin', 'src', 'bridges', 'sandbox'].map((folder) =>
      cp(join(root, folder), join(dir, folder), { recursive: true }),
    ),
  );
  await cp(join(root, 'package.json'), join(dir, 'package.json'));
  await mkdir(join(dir, 'node_modules'));
  for (const entry of await readdir(join(root, 'node_modules'))) {
    if (entry !== '.cache') await symlink(join(root, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

function threadline(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, 'bin/threadline.js'), ...args],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function trees(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'node_modules/.cache/threadline'))).sort();
}

describe('bin/threadline.js in a clone without dist/ (what npm start and npm run demo run)', () => {
  it(
    'compiles the sources once into a tree of their own, reuses it, and compiles again when a source changes',
    { timeout: 120_000 },
    async (t) => {
      const dir = await cloneWithoutDist(t);
      const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;

      const first = await threadline(dir, ['--version']);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout.trim(), version);
      const [tree, ...others] = await trees(dir);
      assert.ok(tree && others.length === 0, `one compiled tree (${String(tree)}, ${others.join(', ')})`);
      const compiled = join(dir, 'node_modules/.cache/threadline', tree);
      const main = join(compiled, 'src/app/main.js');
      assert.match(await readFile(main, 'utf8'), /\/\/# sourceMappingURL=main\.js\.map/);
      // The demo page's files travel with the compiled code (static-files.ts finds them beside itself).
      assert.equal((await stat(join(compiled, 'src/app/demo/public/index.html'))).isFile(), true);
      const compiledAt = (await stat(main)).mtimeMs;

      const again = await threadline(dir, ['--version']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await trees(dir), [tree], 'the same sources reuse their tree');
      assert.equal((await stat(main)).mtimeMs, compiledAt, 'and do not compile again');

      // A changed source is compiled into a new tree, and the change runs.
      const help = join(dir, 'src/app/cli/help.ts');
      await writeFile(help, `${await readFile(help, 'utf8')}\nconsole.log('changed source runs');\n`);
      const changed = await threadline(dir, ['--version']);
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /changed source runs/);
      assert.equal((await trees(dir)).length, 2);
    },
  );

  it(
    'processes started at once on a fresh clone all run, and leave one whole tree',
    { timeout: 120_000 },
    async (t) => {
      const dir = await cloneWithoutDist(t);
      const results = await Promise.all([1, 2, 3, 4].map(() => threadline(dir, ['--version'])));
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const left = await trees(dir);
      assert.equal(left.length, 1, `one tree, no half-written ones: ${left.join(', ')}`);
      assert.equal((await stat(join(dir, 'node_modules/.cache/threadline', left[0]!, '.complete'))).isFile(), true);
    },
  );

  it('runs the sources through tsx when it cannot write its cache (a read-only install)', async (t) => {
    const dir = await cloneWithoutDist(t);
    // A file where the cache folder would go: creating the folder fails as on a read-only node_modules.
    await writeFile(join(dir, 'node_modules/.cache'), '');
    const result = await threadline(dir, ['--version']);
    assert.equal(result.code, 0, result.stderr);
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(result.stdout.trim(), version);
    await assert.rejects(readdir(join(dir, 'node_modules/.cache/threadline')), 'nothing was compiled');
  });

  it('says what to do when it can neither run dist/ nor compile (no dev dependencies)', async (t) => {
    const dir = await cloneWithoutDist(t);
    await rm(join(dir, 'node_modules/esbuild'));
    const result = await threadline(dir, ['--version']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /npm run build/);
  });
});
