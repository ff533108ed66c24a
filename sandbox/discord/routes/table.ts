import { channelRoutes } from './channels.js';
import { messageRoutes } from './messages.js';
import { metaRoutes } from './meta.js';
import { reactionRoutes } from './reactions.js';
import type { Route } from './route.js';
import { threadRoutes } from './threads.js';
import { webhookRoutes } from './webhooks.js';

/** Every REST route under /api/v10, most specific first where templates overlap. */
export const routeTable: readonly Route[] = [
  ...metaRoutes,
  ...channelRoutes,
  ...messageRoutes,
  ...threadRoutes,
  ...reactionRoutes,
  ...webhookRoutes,
];
