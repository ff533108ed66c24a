import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createHttpServer } from '../../src/server/http-server.js';
import { isLocalRequest, isLoopbackAddress } from '../../src/server/loopback.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('loopback check', () => {
  it('knows the loopback addresses: 127.0.0.0/8, ::1 and IPv4-mapped 127.x', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackAddress(address), true, address);
    }
    for (const address of [
      undefined,
      '',
      '10.0.0.1',
      '172.17.0.1',
      '192.168.1.20',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1.evil',
      '127.0.0.1.nip.io',
      'fe80::1',
      '::',
      '0.0.0.0',
    ]) {
      assert.equal(isLoopbackAddress(address), false, String(address));
    }
  });

  it('takes a request from this host: loopback, or the peer is the server address itself', () => {
    const local = (remoteAddress: string | undefined, localAddress = '10.0.0.5', headers = {}) =>
      isLocalRequest({ remoteAddress, localAddress, headers });
    assert.equal(local('127.0.0.1'), true);
    assert.equal(local('::ffff:127.0.0.1'), true);
    assert.equal(local('10.0.0.5'), true, 'a client on this host calling the bound interface');
    assert.equal(local('10.0.0.6'), false);
    assert.equal(local('203.0.113.9', '127.0.0.1'), false);
    assert.equal(local(undefined, undefined), false);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      assert.equal(local('127.0.0.1', '127.0.0.1', { [header]: '203.0.113.9' }), false, `${header}: a proxy's client`);
    }
  });
});

describe('JSON routes of the HTTP server', () => {
  it('parse and answer JSON; a local-only route refuses a forwarded request with 403 forbidden before its handler', async (t) => {
    const { log, lines } = captureLogs('info');
    const server = createHttpServer({
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      log,
      registry: new Registry(),
      readiness: () => ({ platforms: {} }),
    });
    const seen: unknown[] = [];
    server.addJsonRoute('POST', '/echo', async (request) => {
      seen.push(request.body);
      return { status: 201, body: { got: request.body } };
    });
    server.addJsonRoute('GET', '/private', async () => ({ status: 200, body: { ok: true } }), { localOnly: true });
    const url = await server.listen();
    t.after(() => server.close());

    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [1] }),
    });
    assert.equal(echo.status, 201);
    assert.deepEqual(await echo.json(), { got: { ids: [1] } });

    const mine = await fetch(`${url}/private`);
    assert.equal(mine.status, 200);
    assert.deepEqual(await mine.json(), { ok: true });

    const forwarded = await fetch(`${url}/private`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(forwarded.status, 403);
    const body = (await forwarded.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'forbidden');
    assert.match(body.error.message, /only requests from this host/);
    assert.ok(lines.some((line) => line.msg === 'Refused a request from another host'));
    assert.equal(seen.length, 1);
  });
});
