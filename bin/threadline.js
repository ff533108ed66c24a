#!/usr/bin/env -S node --max-semi-space-size=2
// Runs the built output when it exists (production, Docker), else the TypeScript source through tsx (a clone).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/src/app/main.js', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/app/main.ts');
}
