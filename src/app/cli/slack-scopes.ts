/**
 * The bot token scopes the Slack bridge (and `threadline check`) uses, with the reason for each.
 * config/slack-app-manifest.yaml lists exactly these.
 */
export const slackBotScopes: ReadonlyArray<{ readonly scope: string; readonly why: string }> = [
  { scope: 'chat:write', why: 'thread roots, messages and notes via chat.postMessage, hints via chat.postEphemeral' },
  { scope: 'chat:write.customize', why: "posts under the customer's and team member's names" },
  { scope: 'channels:history', why: 'message.channels events and catch-up via conversations.replies, public channels' },
  { scope: 'groups:history', why: 'message.groups events and catch-up, private channels' },
  { scope: 'channels:read', why: 'conversations.info of public route channels, for threadline check' },
  { scope: 'groups:read', why: 'conversations.info of private route channels, for threadline check' },
  { scope: 'reactions:read', why: 'reaction_added and reaction_removed events' },
  { scope: 'reactions:write', why: 'tapbacks and delivery marks via reactions.add and reactions.remove' },
  { scope: 'files:read', why: 'downloading the files the team attaches' },
  { scope: 'files:write', why: "uploading the customer's files via files.uploadV2" },
  { scope: 'users:read', why: "team members' names via users.info" },
];
