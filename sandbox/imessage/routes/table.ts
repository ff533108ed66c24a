import { accountRoutes } from './account.js';
import { fileRoutes } from './files.js';
import { messageRoutes } from './messages.js';
import { presenceRoutes } from './presence.js';
import { reactionRoutes } from './reactions.js';
import type { Route } from './route.js';
import { webhookRoutes } from './webhooks.js';

/** Every endpoint, keyed `METHOD /path` (path without the base path). */
export const routeTable: ReadonlyMap<string, Route> = new Map(
  Object.entries({
    ...messageRoutes,
    ...reactionRoutes,
    ...presenceRoutes,
    ...fileRoutes,
    ...accountRoutes,
    ...webhookRoutes,
  }),
);
