import type { SimReaction, SimStateView } from '../../../sandbox/imessage/index.js';
import type { ReactionTable } from '../../core/reactions.js';
import { demoCustomers, demoLine } from './setup.js';
import type { FileView, PhoneMessageView, PhoneView, ReactionView } from './view.js';

/** The customers' phones: their chats with the line, the business's sends still in the outbox, and tapbacks. */
export function viewPhone(state: SimStateView, reactions: ReactionTable): PhoneView {
  const tapbacks = currentTapbacks(state.reactions);
  const fileIds = new Map(state.files.map((file) => [file.url, file.id]));
  const chats: Record<string, PhoneMessageView[]> = {};
  for (const customer of demoCustomers) {
    const chat = state.chats.find((candidate) => !candidate.is_group && candidate.identifier === customer);
    if (!chat) {
      chats[customer] = [];
      continue;
    }
    const messages = state.messages.get(chat.id) ?? [];
    const delivered = new Set(messages.flatMap((message) => (message.outbox_id ? [message.outbox_id] : [])));
    const shown: PhoneMessageView[] = messages.map((message) => ({
      id: message.id,
      fromCustomer: message.direction === 'inbound',
      text: message.text ?? '',
      files: message.attachments.map((attachment, index): FileView => ({
        name: attachment.filename ?? `attachment-${index + 1}`,
        type: attachment.mime_type ?? 'application/octet-stream',
        size: attachment.size ?? 0,
        url: `/files/imessage/${encodeURIComponent(fileIds.get(attachment.url ?? '') ?? 'unknown')}`,
      })),
      at: message.sent_at,
      reactions: viewTapbacks(tapbacks.get(message.id), reactions),
      ...(message.direction === 'outbound' ? { status: 'delivered' as const } : {}),
    }));
    // Sends the phone has not shown yet: the outbox item is all there is, pending or failed.
    for (const item of state.outbox) {
      if (item.chat_id !== chat.id || item.kind !== 'message' || delivered.has(item.id)) continue;
      const text = item.payload['text'];
      shown.push({
        id: item.id,
        fromCustomer: false,
        text: typeof text === 'string' && text !== '' ? text : '📎 Attachment',
        files: [],
        at: item.created_at,
        reactions: [],
        status: item.status === 'failed' ? 'failed' : 'sending',
        ...(item.error ? { error: item.error } : {}),
      });
    }
    chats[customer] = shown.sort((a, b) => a.at - b.at);
  }
  return { line: demoLine, customers: demoCustomers, chats };
}

/** iMessage keeps one live tapback per sender per message: replay the reaction log to find it. */
function currentTapbacks(log: readonly SimReaction[]): Map<string, Map<string, string>> {
  const byMessage = new Map<string, Map<string, string>>();
  for (const reaction of log) {
    const senders = byMessage.get(reaction.message_id) ?? new Map<string, string>();
    byMessage.set(reaction.message_id, senders);
    const who = reaction.is_from_me ? 'the business' : reaction.sender;
    if (reaction.added) senders.set(who, reaction.type);
    else if (senders.get(who) === reaction.type) senders.delete(who);
  }
  return byMessage;
}

function viewTapbacks(senders: Map<string, string> | undefined, reactions: ReactionTable): ReactionView[] {
  return [...(senders ?? new Map<string, string>())].map(([who, type]) => ({
    emoji: reactions.tapbackToEmoji(type),
    key: type,
    count: 1,
    by: [who],
  }));
}

/** The customer's live tapback on a message, if any (to toggle it off when the same one is tapped). */
export function currentTapbackOf(state: SimStateView, messageId: string, customer: string): string | undefined {
  return currentTapbacks(state.reactions).get(messageId)?.get(customer);
}
