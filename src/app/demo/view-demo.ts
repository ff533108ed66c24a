import type { ReactionTable } from '../../core/reactions.js';
import type { DemoView } from './view.js';
import { viewDiscord } from './view-discord.js';
import { viewPhone } from './view-phone.js';
import { viewSlack } from './view-slack.js';
import type { DemoWorld } from './world.js';

/** The whole page's data, read from the simulators' state views. */
export function viewDemo(world: DemoWorld, reactions: ReactionTable): DemoView {
  return {
    phone: viewPhone(world.phone.state, reactions),
    slack: viewSlack(world.slack.state, reactions, world.slack.bot),
    discord: viewDiscord(world.discord.state, world.discordUnavailable),
  };
}
