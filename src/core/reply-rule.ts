/** Which team messages reach the phone: one rule for every team platform. */
export interface ReplyRule {
  /** auto: everything but notes is sent; explicit: only messages with the send prefix are sent. */
  readonly mode: 'auto' | 'explicit';
  readonly notePrefix: string;
  readonly sendPrefix: string;
}

export type ReplyDecision = { readonly send: true; readonly text: string } | { readonly send: false };

/**
 * Decides whether a team message goes to the phone, and with what text (the prefix removed). A note
 * prefix always keeps a message internal, in either mode.
 */
export function decideReply(text: string, rule: ReplyRule): ReplyDecision {
  const trimmed = text.trimStart();
  if (trimmed.startsWith(rule.notePrefix)) return { send: false };
  if (rule.mode === 'explicit') {
    if (!trimmed.startsWith(rule.sendPrefix)) return { send: false };
    return { send: true, text: trimmed.slice(rule.sendPrefix.length).trim() };
  }
  if (trimmed.startsWith(rule.sendPrefix)) return { send: true, text: trimmed.slice(rule.sendPrefix.length).trim() };
  return { send: true, text: text.trim() };
}
