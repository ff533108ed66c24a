import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface StaticAsset {
  readonly type: string;
  readonly body: Buffer;
}

export interface StaticFiles {
  /** The asset served at `pathname` ('/' is index.html), or undefined. */
  get(pathname: string): StaticAsset | undefined;
}

/** The page is three files; nothing else under the folder is served (no path ever reaches the file system). */
const assets: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * The folder with the page: beside this module when run from source; from dist/src/app/demo/ (where tsc copies
 * no assets) it is the source folder of the same checkout.
 */
function publicFolder(): string {
  const candidates = [
    new URL('./public/', import.meta.url),
    new URL('../../../../src/app/demo/public/', import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(new URL('index.html', url)));
  if (!found) throw new Error('The demo page (src/app/demo/public/) is missing from this installation');
  return fileURLToPath(found);
}

/** Reads the page's files once, at start. */
export async function loadStaticFiles(): Promise<StaticFiles> {
  const folder = publicFolder();
  const loaded = new Map<string, StaticAsset>();
  for (const [path, { file, type }] of Object.entries(assets)) {
    loaded.set(path, { type, body: await readFile(`${folder}${file}`) });
  }
  return { get: (pathname) => loaded.get(pathname) };
}
