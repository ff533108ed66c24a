import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startDemo } from '../../src/app/demo/start-demo.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const screenshotPath = join(root, 'test-artifacts', 'demo.png');
const chromiumPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Every wait on the page is bounded by this. */
const stepMs = 15_000;

/** The few playwright-core calls this test makes (typed here so the suite compiles without the package). */
interface Locator {
  first(): Locator;
  locator(selector: string, options?: { hasText?: string }): Locator;
  fill(value: string): Promise<void>;
  setInputFiles(file: { name: string; mimeType: string; buffer: Buffer }): Promise<void>;
  click(): Promise<void>;
  waitFor(options?: { timeout?: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  setDefaultTimeout(ms: number): void;
  locator(selector: string, options?: { hasText?: string }): Locator;
  screenshot(options: { path: string }): Promise<unknown>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<Browser>;
}

async function loadChromium(): Promise<Chromium | undefined> {
  const name = 'playwright-core';
  try {
    const loaded = (await import(name)) as { chromium?: Chromium; default?: { chromium?: Chromium } };
    return loaded.chromium ?? loaded.default?.chromium;
  } catch {
    return undefined;
  }
}

interface DemoView {
  readonly discord: { readonly available: boolean; readonly note?: string };
}

test(
  'the demo page: a text from the phone reaches Slack and Discord, a Slack reply reaches the phone and is marked ✅',
  {
    timeout: 60_000,
  },
  async (t) => {
    const executablePath = chromiumPaths.find((path) => existsSync(path));
    if (!executablePath) return t.skip('no chromium binary at /usr/bin/chromium; .ci/run installs it');
    const chromium = await loadChromium();
    if (!chromium) return t.skip('playwright-core cannot be imported; it is a devDependency (npm ci installs it)');

    // `threadline demo` exactly as `npm run demo` runs it, from source, on any free port.
    const demo = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(root, 'src/app/main.ts'), 'demo'],
      {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', THREADLINE_DEMO_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    demo.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
    t.after(async () => {
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
      await exited;
    });
    const url = await waitFor(() => /^Threadline demo: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1], {
      timeoutMs: 30_000,
      message: `the demo's URL line (stdout: ${stdout}; stderr: ${stderr.slice(-2000)})`,
    });
    const view = (await (await fetch(`${url}/api/state`)).json()) as DemoView;

    const browser = await chromium.launch({ executablePath, args: chromiumArgs, timeout: stepMs });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(stepMs);
    await page.goto(url);
    await page.locator('#conn.live').waitFor();

    const question = 'Hi! Is order 1042 ready for pickup?';
    await page.locator('#phone-form input[name="text"]').fill(question);
    await page.locator('#phone-form button[type="submit"]').click();
    await page.locator('#phone-messages .mine', { hasText: question }).waitFor();
    await page.locator('#slack-threads .msg', { hasText: question }).waitFor();
    assert.equal(view.discord.available, true, `the Discord bridge did not start: ${view.discord.note ?? ''}`);
    await page.locator('#discord-threads .msg', { hasText: question }).waitFor();

    // A file attached on the phone crosses too (uploaded to Slack by the bridge).
    const receipt = { name: 'receipt-1042.txt', mimeType: 'text/plain', buffer: Buffer.from('Order 1042: 2 items\n') };
    await page.locator('#phone-form input[type="file"]').setInputFiles(receipt);
    await page.locator('#phone-form button[type="submit"]').click();
    await page.locator('#phone-messages .mine a.file', { hasText: receipt.name }).waitFor();
    await page.locator('#slack-threads a.file', { hasText: receipt.name }).waitFor();

    const answer = 'Yes, it is packed: come by after 3 pm <3 & bring the receipt';
    const thread = page.locator('#slack-threads .thread').first();
    await thread.locator('input[name="text"]').fill(answer);
    await thread.locator('button[type="submit"]').click();
    await page.locator('#phone-messages .theirs', { hasText: answer }).waitFor();
    await page.locator('#slack-threads .msg', { hasText: answer }).locator('.pill', { hasText: '✅' }).waitFor();
    // Mirrored into the other team's thread too (both routes are two-way).
    await page.locator('#discord-threads .msg', { hasText: answer }).waitFor();

    // A tapback from the phone on the business's answer shows in Slack as ❤️.
    await page.locator('#phone-messages .theirs', { hasText: answer }).locator('button[title="love"]').click();
    await page.locator('#slack-threads .msg', { hasText: answer }).locator('.pill', { hasText: '❤️' }).waitFor();

    await mkdir(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    assert.ok(existsSync(screenshotPath));

    // Ctrl-C's signal stops the daemon and the simulators cleanly: exit code 0.
    demo.kill('SIGINT');
    const code = await Promise.race([exited, delay(10_000, 'still running after 10 s', { ref: false })]);
    assert.equal(code, 0, `the demo did not stop cleanly (stderr: ${stderr.slice(-2000)})`);
  },
);

test('the demo API validates what the page sends (400 with a JSON error) and streams state as Server-Sent Events', async (t) => {
  const demo = await startDemo({ port: 0, log: pino({ level: 'silent' }) });
  t.after(() => demo.stop());
  const postJson = async (path: string, body: string, contentType = 'application/json') => {
    const response = await fetch(`${demo.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as { error?: string; ok?: boolean } };
  };

  const unknownCustomer = await postJson('/api/phone/send', JSON.stringify({ from: '+15550000000', text: 'hi' }));
  assert.equal(unknownCustomer.status, 400);
  assert.match(unknownCustomer.body.error ?? '', /^from: /);
  assert.equal((await postJson('/api/phone/send', JSON.stringify({ from: '+15559876543', text: ' ' }))).status, 400);
  assert.deepEqual(await postJson('/api/phone/send', '{"from":'), { status: 400, body: { error: 'malformed JSON' } });
  assert.equal((await postJson('/api/phone/send', '{}', 'text/plain')).status, 415);
  const noThread = await postJson('/api/slack/post', JSON.stringify({ user: 'U0ALICE', threadTs: '1.2', text: 'x' }));
  assert.deepEqual(noThread, { status: 400, body: { error: 'no Slack thread 1.2' } });
  assert.equal((await fetch(`${demo.url}/api/phone/send`)).status, 405);
  assert.equal(demo.world.phone.state.chats.length, 0, 'nothing reached the simulators');

  const events = new AbortController();
  t.after(() => events.abort());
  const stream = await fetch(`${demo.url}/api/events`, { signal: events.signal });
  assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = stream.body!.getReader();
  let received = '';
  const nextEvent = async (predicate: (text: string) => boolean) => {
    while (!predicate(received)) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done || !chunk.value) throw new Error('the event stream ended');
      received += Buffer.from(chunk.value).toString('utf8');
    }
  };
  await nextEvent((text) => text.includes('event: state'));

  const sent = await postJson('/api/phone/send', JSON.stringify({ from: '+15559876543', text: 'Is the shop open?' }));
  assert.deepEqual(sent, { status: 200, body: { ok: true } });
  // Crossed the real bridge: the page is told of the Slack thread without asking.
  await Promise.race([
    nextEvent((text) => text.includes('"author":"+15559876543","kind":"app","text":"Is the shop open?"')),
    delay(10_000, undefined, { ref: false }).then(() =>
      assert.fail(`no pushed Slack copy; got: ${received.slice(-500)}`),
    ),
  ]);
});
