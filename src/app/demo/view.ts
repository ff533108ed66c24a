/** What the page renders: a plain JSON picture of the three simulators, rebuilt on every change. */

/** A file as the page links it (served by the demo server under `url`). */
export interface FileView {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly url: string;
}

/** An emoji on a message with who put it there. */
export interface ReactionView {
  readonly emoji: string;
  /** The platform's key for it: a tapback type, a Slack name or a Discord emoji name. */
  readonly key: string;
  readonly count: number;
  /** Display names of who reacted. */
  readonly by: readonly string[];
}

export interface PhoneMessageView {
  readonly id: string;
  /** True for what the customer typed; false for the business (the line). */
  readonly fromCustomer: boolean;
  readonly text: string;
  readonly files: readonly FileView[];
  readonly at: number;
  readonly reactions: readonly ReactionView[];
  /** The business's messages: 'sending' until the phone has it, 'failed' with `error`, 'delivered' after. */
  readonly status?: 'sending' | 'delivered' | 'failed';
  readonly error?: string;
}

export interface PhoneView {
  readonly line: string;
  readonly customers: readonly string[];
  /** Each customer's chat with the line, oldest first. */
  readonly chats: Readonly<Record<string, readonly PhoneMessageView[]>>;
}

export interface TeamMessageView {
  /** Slack `ts` or Discord message id. */
  readonly id: string;
  readonly author: string;
  /** 'person' for a team member; 'app' for what the bridge posted (bot or customised username). */
  readonly kind: 'person' | 'app';
  readonly text: string;
  readonly files: readonly FileView[];
  readonly at: number;
  readonly reactions: readonly ReactionView[];
}

export interface TeamThreadView {
  /** Slack root `ts` or Discord thread id: where replies go. */
  readonly id: string;
  readonly title: string;
  /** Slack: the root message (the bridge's header naming the contact). */
  readonly root?: TeamMessageView;
  readonly messages: readonly TeamMessageView[];
  /** Slack ephemeral notices in this thread ("only visible to you"). */
  readonly notices: readonly { readonly to: string; readonly text: string }[];
}

export interface TeamView {
  readonly available: boolean;
  /** Why the bridge is not running, when it is not. */
  readonly note?: string;
  readonly channel: string;
  readonly members: readonly { readonly id: string; readonly name: string }[];
  readonly threads: readonly TeamThreadView[];
}

export interface DemoView {
  readonly phone: PhoneView;
  readonly slack: TeamView;
  readonly discord: TeamView;
}
