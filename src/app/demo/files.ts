import { demoDiscordChannel } from './setup.js';
import type { DemoWorld } from './world.js';

export interface StoredFile {
  /** The file name to show and to offer on download. */
  readonly name: string;
  /** Its MIME type, as the platform recorded it. */
  readonly type: string;
  readonly data: Buffer;
}

/** The bytes of a file the page shows, from the simulator that holds it (so the page needs no tokens). */
export function findFile(world: DemoWorld, platform: string, id: string): StoredFile | undefined {
  switch (platform) {
    case 'imessage': {
      const file = world.phone.state.files.find((candidate) => candidate.id === id);
      return file && { name: file.filename ?? id, type: file.mime_type, data: file.data };
    }
    case 'slack': {
      const file = world.slack.state.files.get(id);
      return file && { name: file.name, type: file.mimetype, data: file.data };
    }
    case 'discord': {
      const { state } = world.discord;
      const channels = [
        demoDiscordChannel.id,
        ...[...state.threads.values()].filter((t) => t.parent_id === demoDiscordChannel.id).map((t) => t.id),
      ];
      for (const channel of channels) {
        for (const message of state.messages(channel)) {
          const attachment = message.attachments.find((candidate) => candidate.id === id);
          if (attachment) return { name: attachment.filename, type: attachment.content_type, data: attachment.data };
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
