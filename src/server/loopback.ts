import type { IncomingHttpHeaders } from 'node:http';
import { isIPv4 } from 'node:net';

/** True for an address of this host's loopback interface: 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  return isIPv4(v4) && v4.startsWith('127.');
}

/** Headers a reverse proxy adds: such a request comes from wherever the proxy's client is, not from here. */
const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

export interface LocalRequestInput {
  /** The socket's peer address (never a header). */
  readonly remoteAddress: string | undefined;
  /** The socket's own address. */
  readonly localAddress: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * True when a request comes from a process on this host: the peer is a loopback address, or the peer is
 * the server's own address (a client on this host calling the specific interface `server.host` binds;
 * the kernel refuses such a source from outside, and no TCP handshake completes with it spoofed). A
 * request a proxy forwarded is refused even from loopback: a proxy on this host would otherwise open the
 * admin routes to anyone who can reach the proxy.
 */
export function isLocalRequest(input: LocalRequestInput): boolean {
  if (forwardingHeaders.some((name) => input.headers[name] !== undefined)) return false;
  if (isLoopbackAddress(input.remoteAddress)) return true;
  return input.remoteAddress !== undefined && input.remoteAddress === input.localAddress;
}
