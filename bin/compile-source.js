// Runs a clone's TypeScript without a module loader. A loader (tsx) hooks every import from a thread of its
// own, which costs tens of MB of resident memory for the daemon's whole life; compiling the sources once, file
// by file into the same layout, costs a fraction of a second and nothing afterwards.
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/** The folders the daemon, the CLI and the demo run from (what tsconfig.build.json compiles). */
const sourceFolders = ['src', 'bridges', 'sandbox'];
/** Compiled trees of other versions of the sources are removed once unused this long. */
const staleAfterMs = 7 * 24 * 60 * 60 * 1000;

/** Every file under the source folders, sorted: `.ts` files are compiled, the rest (the demo page) copied. */
function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relative(root, path));
    }
  };
  for (const folder of sourceFolders) walk(join(root, folder));
  return files.sort();
}

/**
 * The compiled entry point for `root`'s sources: `node_modules/.cache/threadline/<hash of the sources>/src/app/main.js`,
 * compiled by esbuild the first time those exact sources run. Processes starting at once each compile into a
 * folder of their own and the first rename wins, so no process ever imports a half-written tree. Undefined when
 * the cache folder cannot be created.
 */
export async function compiledMain(root) {
  const { build, version } = await import('esbuild');
  const files = sourceFiles(root);
  const hash = createHash('sha256').update(`esbuild ${version}\n`);
  for (const file of files)
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(root, file)))
      .update('\n');
  const cache = join(root, 'node_modules/.cache/threadline');
  const target = join(cache, hash.digest('hex').slice(0, 16));
  const main = join(target, 'src/app/main.js');
  if (existsSync(join(target, '.complete'))) {
    // Marks the tree as in use, so that a start from changed sources (removeStale) leaves it alone.
    const now = new Date();
    try {
      utimesSync(target, now, now);
    } catch {
      // a read-only install: nothing removes trees there either
    }
    return main;
  }

  const scratch = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(scratch, { recursive: true });
  } catch {
    // node_modules cannot be written here (a read-only install): the caller runs the sources another way.
    return undefined;
  }
  try {
    await build({
      entryPoints: files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')).map((f) => join(root, f)),
      outdir: scratch,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    for (const file of files.filter((f) => !f.endsWith('.ts'))) cpSync(join(root, file), join(scratch, file));
    // Under node_modules no package.json of the project applies: this one makes the .js files ES modules.
    writeFileSync(join(scratch, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(join(scratch, '.complete'), '');
    renameSync(scratch, target);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    // Another process finished the same tree first: use it.
    if (!existsSync(join(target, '.complete'))) throw error;
  }
  removeStale(cache, target);
  return main;
}

function removeStale(cache, keep) {
  const now = Date.now();
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === keep) continue;
    try {
      if (now - statSync(path).mtimeMs > staleAfterMs) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
