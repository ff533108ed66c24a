import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { acquireStoreLock, lockPathOf } from '../../src/store/store-lock.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTempDir } from '../helpers/store-files.js';

async function tempStorePath(t: TestContext): Promise<{ path: string; lock: string }> {
  const dir = await createTempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { path: join(dir, 'threadline.json'), lock: join(dir, 'threadline.lock') };
}

/** A process that exists for the test's duration. */
function liveProcess(t: TestContext): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  t.after(() => child.kill());
  return child.pid!;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

function owner(pid: number, host = hostname(), startedAt = new Date().toISOString()): string {
  return JSON.stringify({ pid, hostname: host, startedAt });
}

async function rejectsLocked(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'store_locked');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('store lock', () => {
  it('is a <stem>.lock file beside store.path', () => {
    assert.equal(lockPathOf('/data/threadline.json'), '/data/threadline.lock');
    assert.equal(lockPathOf('/srv/x/bridge.json'), '/srv/x/bridge.lock');
  });

  it('is held while the lowdb store is open, names this process, and is removed by close()', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
    const held = JSON.parse(await readFile(lock, 'utf8')) as Record<string, unknown>;
    assert.equal(held['pid'], process.pid);
    assert.equal(held['hostname'], hostname());
    assert.ok(!Number.isNaN(Date.parse(String(held['startedAt']))));
    await rejectsLocked(openLowdbStore({ path, pruneIntervalMs: 0 }), /This process \(pid \d+\) has the store/);
    await store.close();
    await assert.rejects(stat(lock), { code: 'ENOENT' });
    // Free again: another open succeeds.
    await (await openLowdbStore({ path, pruneIntervalMs: 0 })).close();
  });

  it('refuses a live lock of another process with store_locked, naming its pid and what to do', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const pid = liveProcess(t);
    const content = owner(pid);
    await writeFile(lock, content);
    await rejectsLocked(
      openLowdbStore({ path, pruneIntervalMs: 0 }),
      new RegExp(
        `Another Threadline \\(pid ${pid}, since .*\\) has the store .* open, and only one process may\\. Stop it first.*delete .*threadline\\.lock`,
      ),
    );
    assert.equal(await readFile(lock, 'utf8'), content, 'left as it was');
    await assert.rejects(stat(path), { code: 'ENOENT' }, 'nothing opened or created');
  });

  it('takes over a lock whose process is gone, and logs it', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const pid = await deadPid();
    await writeFile(lock, owner(pid));
    const { log, lines } = captureLogs('info');
    const store = await openLowdbStore({ path, pruneIntervalMs: 0, logger: log });
    const taken = lines.find((line) => line.msg === 'Took over a stale store lock');
    assert.ok(taken, 'logged');
    assert.match(String(taken['reason']), new RegExp(`process ${pid} is not running`));
    assert.equal((JSON.parse(await readFile(lock, 'utf8')) as { pid: number }).pid, process.pid);
    await store.close();
    await assert.rejects(stat(lock), { code: 'ENOENT' });
  });

  it('takes over a lock written before the last boot, and one naming this pid that this process does not hold', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const live = liveProcess(t);
    await writeFile(lock, owner(live, hostname(), '2000-01-01T00:00:00.000Z'));
    const first = await acquireStoreLock(path);
    await first.release();
    // A restarted container: same host, same pid, a new process.
    await writeFile(lock, owner(process.pid));
    const second = await acquireStoreLock(path);
    assert.equal((JSON.parse(await readFile(lock, 'utf8')) as { pid: number }).pid, process.pid);
    await second.release();
  });

  it('judges another host by its heartbeat: refreshed is live, a minute silent is stale', async (t) => {
    const { path, lock } = await tempStorePath(t);
    await writeFile(lock, owner(1, 'other-host'));
    await rejectsLocked(acquireStoreLock(path), /pid 1 on host other-host/);
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(lock, old, old);
    const taken = await acquireStoreLock(path);
    assert.equal((JSON.parse(await readFile(lock, 'utf8')) as { hostname: string }).hostname, hostname());
    await taken.release();
  });

  it('refreshes its own heartbeat', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const held = await acquireStoreLock(path, { heartbeatMs: 20 });
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(lock, old, old);
    await new Promise((done) => setTimeout(done, 100));
    assert.ok(Date.now() - (await stat(lock)).mtimeMs < 60_000, 'mtime refreshed');
    await held.release();
  });

  it('treats an unreadable lock as being written while it is fresh, and as stale once old', async (t) => {
    const { path, lock } = await tempStorePath(t);
    await writeFile(lock, '');
    await rejectsLocked(acquireStoreLock(path), /Another Threadline has the store/);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const taken = await acquireStoreLock(path);
    await taken.release();
    await assert.rejects(stat(lock), { code: 'ENOENT' });
  });

  it('never removes a lock that another process took over meanwhile', async (t) => {
    const { path, lock } = await tempStorePath(t);
    const held = await acquireStoreLock(path);
    const pid = liveProcess(t);
    await writeFile(lock, owner(pid));
    await held.release();
    assert.equal((JSON.parse(await readFile(lock, 'utf8')) as { pid: number }).pid, pid);
  });
});
