import { MemoryVolume } from '../../src/store/memory-volume.js';
import { MANIFEST, logName } from '../../src/store/volume.js';

/**
 * A memory volume that crashes at a chosen write: operation number `crashAt` (counting writes, removals,
 * syncs and log appends and removals from 1) fails and leaves the volume as a crash at that instant
 * would, and every later one fails too (the process is "dead"). A crash on a log append lets the first
 * half of the bytes through, as a torn write. Reads keep working, so {@link copyVolume} can take the
 * crash image to reopen.
 */
export class FaultyVolume extends MemoryVolume {
  /** Operations counted so far. */
  ops = 0;
  crashAt = Infinity;
  crashed = false;
  /** What each counted operation was, e.g. `write links-000000`, `append wal-000002`. */
  readonly trace: string[] = [];

  override write(name: string, json: string): Promise<void> {
    return this.#step(`write ${name}`, () => super.write(name, json));
  }

  override remove(name: string): Promise<void> {
    return this.#step(`remove ${name}`, () => super.remove(name));
  }

  override sync(): Promise<void> {
    return this.#step('sync', () => super.sync());
  }

  override appendLog(no: number, bytes: Uint8Array): Promise<void> {
    return this.#step(
      `append ${logName(no)}`,
      () => super.appendLog(no, bytes),
      () => super.appendLog(no, bytes.subarray(0, Math.floor(bytes.length / 2))),
    );
  }

  override removeLog(no: number): Promise<void> {
    return this.#step(`remove ${logName(no)}`, () => super.removeLog(no));
  }

  async #step(what: string, run: () => Promise<void>, torn?: () => Promise<void>): Promise<void> {
    if (this.crashed) throw new Error(`disk gone (${what})`);
    this.ops++;
    this.trace.push(what);
    if (this.ops === this.crashAt) {
      this.crashed = true;
      await torn?.();
      throw new Error(`crash at ${what}`);
    }
    await run();
  }
}

/** A copy of every file of `volume`, as they are now (to reopen a store on a crash image). */
export async function copyVolume(volume: MemoryVolume): Promise<MemoryVolume> {
  const copy = new MemoryVolume();
  for (const name of [MANIFEST, ...(await volume.list())]) {
    const data = await volume.read(name);
    if (data !== null) await copy.write(name, JSON.stringify(data));
  }
  for (const no of await volume.logs()) {
    const bytes = await volume.readLog(no);
    if (bytes) await copy.appendLog(no, bytes);
  }
  return copy;
}
