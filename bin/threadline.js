#!/usr/bin/env -S node --max-semi-space-size=2
// Runs the built output when it exists (production, Docker), else the clone's TypeScript, compiled once per
// change of the sources (bin/compile-source.js) and run without a module loader.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../dist/src/app/main.js', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { compiledMain } = await import('./compile-source.js');
  let main;
  try {
    main = await compiledMain(root);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      'Threadline is not built and cannot compile its sources here (esbuild, a dev dependency, is missing).\n' +
        'Run `npm ci` to run from source, or `npm run build` to build dist/.\n',
    );
    process.exit(1);
  }
  if (main) {
    await import(pathToFileURL(main).href);
  } else {
    // node_modules cannot be written (a read-only install): the sources run through tsx's loader instead.
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/app/main.ts');
  }
}
