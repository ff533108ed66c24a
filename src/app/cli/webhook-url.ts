/** The path Threadline receives messages.dev deliveries on. */
export const imessageWebhookPath = '/webhooks/imessage';

export type WebhookUrlResult =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly problem: string };

const localHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The URL messages.dev should deliver to, from a base URL (`https://bridge.example.com`) or the full one
 * (`…/webhooks/imessage`). messages.dev requires https; plain http is allowed only for localhost, where
 * local simulators live.
 */
export function webhookTargetUrl(input: string): WebhookUrlResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, problem: `"${input}" is not a URL; give the public https URL of this server` };
  }
  if (url.protocol === 'http:' && !localHosts.has(url.hostname)) {
    return {
      ok: false,
      problem: `messages.dev delivers webhooks only to https URLs, and ${url.origin} is plain http: put Threadline behind TLS (a reverse proxy or a tunnel) and give its https URL. Plain http is accepted only for localhost, for local simulators.`,
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `"${input}" is not an https URL` };
  }
  if (url.hash !== '') return { ok: false, problem: `remove the #fragment from "${input}"` };
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(imessageWebhookPath) ? path : `${path}${imessageWebhookPath}`;
  return { ok: true, url: url.href };
}
