import type { SimCore } from './core.js';
import { createMessage } from './create-message.js';
import { newId } from './ids.js';
import type {
  RecordedDelivery,
  SimChat,
  SimLine,
  SimMessage,
  SimReaction,
  SimulateInboundInput,
  SimulateReactionInput,
  SimulateSentFromPhoneInput,
} from './types.js';
import { wireMessageEvent, wireReactionEvent } from './wire.js';

/** The phone side of the line: what contacts (and the line's own phone) do, with the webhooks that follow. */

function resolveLine(core: SimCore, handle: string | undefined): SimLine {
  const line = handle === undefined ? core.state.lines[0] : core.state.lines.find((l) => l.handle === handle);
  if (!line) throw new Error(`Simulator has no line ${handle ?? '(none configured)'}`);
  return line;
}

function resolveInboundChat(core: SimCore, line: SimLine, input: SimulateInboundInput): SimChat {
  if (input.chat !== undefined) {
    const chat = core.state.findChat(line, input.chat);
    if (!chat) throw new Error(`Simulator has no chat ${input.chat} on line ${line.handle}`);
    return chat;
  }
  if (input.groupParticipants !== undefined) {
    const participants = input.groupParticipants.includes(input.from)
      ? input.groupParticipants
      : [input.from, ...input.groupParticipants];
    return core.state.ensureGroupChat(line, participants, input.groupName ?? null);
  }
  return core.state.ensureDirectChat(line, input.from);
}

export async function simulateInbound(
  core: SimCore,
  input: SimulateInboundInput,
): Promise<{ message: SimMessage; chatId: string; deliveries: RecordedDelivery[] }> {
  const line = resolveLine(core, input.line);
  const chat = resolveInboundChat(core, line, input);
  const files = (input.attachments ?? []).map((attachment) =>
    core.createFile({
      data: attachment.data,
      mimeType: attachment.mimeType,
      filename: attachment.filename,
      ...(attachment.transcription === undefined ? {} : { transcription: attachment.transcription }),
    }),
  );
  const message = createMessage(core, line, chat, {
    from: input.from,
    text: input.text,
    attachments: files.map((file) => core.attachmentOf(file)),
    isAudioMessage: input.isAudioMessage,
    replyToGuid:
      input.replyTo === undefined ? undefined : (core.state.findMessage(input.replyTo)?.guid ?? input.replyTo),
  });
  const deliveries = await core.webhooks.dispatch(line.id, 'message.received', wireMessageEvent(message, line.handle));
  return { message, chatId: chat.id, deliveries };
}

export async function simulateReaction(
  core: SimCore,
  input: SimulateReactionInput,
): Promise<{ reaction: SimReaction; deliveries: RecordedDelivery[] }> {
  const line = resolveLine(core, input.line);
  const target = core.state.findMessage(input.messageId);
  if (!target || target.line_id !== line.id) throw new Error(`Simulator has no message ${input.messageId}`);
  const now = core.now();
  const reaction: SimReaction = {
    id: newId('rxn'),
    message_id: target.id,
    chat_id: target.chat_id,
    type: input.type,
    sender: input.from,
    is_from_me: false,
    added: input.added ?? true,
    sent_at: now,
    synced_at: now,
  };
  core.state.reactions.push(reaction);
  core.emitter.emit('reaction', reaction);
  const event = reaction.added ? 'reaction.added' : 'reaction.removed';
  const deliveries = await core.webhooks.dispatch(line.id, event, wireReactionEvent(reaction, line.handle));
  return { reaction, deliveries };
}

/** A message typed on the line's own device (or another tool): `message.sent` with `outbox_id: null`. */
export async function simulateSentFromPhone(
  core: SimCore,
  input: SimulateSentFromPhoneInput,
): Promise<{ message: SimMessage; deliveries: RecordedDelivery[] }> {
  const line = resolveLine(core, input.line);
  let chat: SimChat | undefined;
  if (input.to.startsWith('cht_')) {
    chat = core.state.findChat(line, input.to);
    if (!chat) throw new Error(`Simulator has no chat ${input.to} on line ${line.handle}`);
  } else {
    chat = core.state.ensureDirectChat(line, input.to);
  }
  const message = createMessage(core, line, chat, { text: input.text });
  const deliveries = await core.webhooks.dispatch(line.id, 'message.sent', wireMessageEvent(message, line.handle));
  return { message, deliveries };
}
