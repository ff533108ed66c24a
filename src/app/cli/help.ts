import { webhooksActionOf, type Command, type ParsedArgs } from './args.js';

const configOption = '  -c, --config PATH   config file (else $THREADLINE_CONFIG, else config/threadline.yaml)';

/** `threadline --help`: every command in one screen. */
export const usage = `Usage: threadline <command> [options]

Commands:
  start               run the bridge (the default)
  check               validate the config and every credential and route, then exit
  demo                run the bridge against local simulators with a web page
  webhooks register   create the messages.dev webhook for each route line (--url https://…)
  webhooks list       list the messages.dev webhooks of each route line
  queue               list pending effects and dead letters per destination (--json)
  queue retry <id>    put a dead letter back in its queue (--all: every dead letter)
  migrate             bring the PostgreSQL store's schema up to date (store.url)
  store export        write the store to stdout as JSON lines
  store import        read an export from stdin into an empty PostgreSQL store
  help [command]      show this help, or a command's

Options:
${configOption}
  -h, --help          help for a command (threadline check --help)
  -v, --version       print the version

Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad config or credentials.`;

const startUsage = `Usage: threadline start [--config PATH]

Runs the bridge until SIGTERM or SIGINT, then drains the send queues, flushes the store and exits.
HTTP: POST /webhooks/imessage, POST /slack/events (HTTP mode), GET /healthz, /readyz, /metrics;
loopback only: GET /admin/queue, POST /admin/queue/retry (for threadline queue).

Options:
${configOption}

Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad config or credentials.`;

const checkUsage = `Usage: threadline check [--config PATH]

Validates the config, then every credential and route without starting the bridge, and prints a
✓/✗ table with the fix for each ✗. Nothing is changed anywhere; no secret is printed.

  messages.dev  the API key (GET /v1/lines); each route's line exists and is active; with
                server.publicUrl set, that each line has an active webhook pointing there
  Slack         the bot token (auth.test) and its scopes; each route channel exists and the bot
                is a member; the Socket Mode app token (apps.connections.open), or the signing
                secret for the HTTP Events API
  Discord       the bot token (GET /users/@me); the Message Content intent; each route channel
                is a text or forum channel where the bot has the permissions the bridge needs

Options:
${configOption}

Exit codes: 0 every check passed; 2 the config is invalid or a check failed (an unreachable
platform counts as failed: its credentials could not be confirmed).`;

const demoUsage = `Usage: threadline demo

Runs the bridge against local simulators of messages.dev, Slack and Discord and serves a web page
to try it (http://127.0.0.1:5173; THREADLINE_DEMO_PORT picks another port, 0 any free one). No config
file, tokens or network are needed. Stop it with Ctrl-C.`;

const registerUsage = `Usage: threadline webhooks register [--url URL] [--config PATH]

For each route line, creates a messages.dev webhook for message.received, message.sent,
reaction.added and reaction.removed that points at <URL>/webhooks/imessage. URL may be the base
(https://bridge.example.com) or the full path; it must be https (plain http only for localhost).
Without --url, server.publicUrl from the config is used.

A line that already has an active webhook at exactly that URL is skipped: running it twice creates
nothing new. The signing secret of a new webhook is printed once (messages.dev never shows it
again): put it in MESSAGES_WEBHOOK_SECRET (imessage.webhookSecret), which may be unset while this
command runs.

messages.dev gives every webhook its own secret and Threadline verifies deliveries with one. When a
further line's new webhook comes back with a different secret, that webhook is deleted again and
the command exits 2: run one Threadline (one config, one secret) per line in that case.

Options:
  --url URL           where messages.dev should deliver (else server.publicUrl)
${configOption}

Exit codes: 0 registered (or already registered); 1 messages.dev failed or could not be reached;
2 bad config, key, URL or line, or lines whose secrets differ.`;

const listUsage = `Usage: threadline webhooks list [--config PATH]

Lists each route line's messages.dev webhooks: id, state, URL and events.

Options:
${configOption}

Exit codes: 0 listed; 1 messages.dev failed or could not be reached; 2 bad config or key.`;

const queueUsage = `Usage: threadline queue [--json] [--config PATH]
       threadline queue retry <id> [--config PATH]
       threadline queue retry --all [--config PATH]

Every piece of work (a post into a thread, a send to the phone, a mark, a reaction…) is an effect that
stays pending until it succeeds. One that still fails after delivery.maxAgeHours, or fails for a reason
retrying cannot change, becomes a dead letter (⚠️ in the thread).

  queue              lists, per destination (slack:<channel>, discord:<channel>, imessage:<line>,
                     imessage:outbox), how many effects are pending, the oldest one's age, the dead
                     letters and whether it is failing; then each effect: id, kind, state, age,
                     attempts and last error. Never any message content. --json prints the same as JSON.
  queue retry <id>   puts that dead letter back in its queue with a fresh age
  queue retry --all  puts every dead letter back

It asks the running daemon through its loopback-only admin routes (GET /admin/queue, POST
/admin/queue/retry on 127.0.0.1:<server.port>, or server.host when it is a specific address). When
nothing listens there, Threadline is not running: the store at store.path is read directly, and a
retry written there resumes at the next start.

Options:
  --all               with retry: every dead letter
  --json              print JSON
${configOption}

Exit codes: 0 listed or re-queued (also when there was nothing to retry); 1 the daemon could not be
asked (or holds the store without answering); 2 bad config or usage, or an id that is not a dead letter.`;

const webhooksUsage = `Usage: threadline webhooks register [--url URL] [--config PATH]
       threadline webhooks list [--config PATH]

  register   create the messages.dev webhook of each route line (idempotent); prints the secret once
  list       list the messages.dev webhooks of each route line

Run \`threadline webhooks register --help\` for details.`;

const migrateUsage = `Usage: threadline migrate [--config PATH]

Brings the schema of the PostgreSQL store (store.url, in store.schema when set) up to date. Every
replica does this at start under a lock, so two starting together migrate once; run it by hand to
migrate before a rolling deploy. A database written by a newer Threadline is refused, not changed.
The embedded store (store.path) needs no migration.

Options:
${configOption}

Exit codes: 0 up to date; 1 the database could not be reached or is newer; 2 no store.url.`;

const storeUsage = `Usage: threadline store export [--config PATH] > threadline.jsonl
       threadline store import [--config PATH] < threadline.jsonl

  export   writes every conversation, message link, pending event and effect, dedupe key and
           cursor of the configured store (lowdb or PostgreSQL) to stdout, one JSON object per line
  import   reads an export into the configured PostgreSQL store (store.url), which must be empty,
           in one transaction; ids and pending work carry over

Moving from the embedded store: stop the daemon, then
  threadline -c lowdb.yaml store export | threadline -c postgres.yaml store import

Options:
${configOption}

Exit codes: 0 done; 1 the store could not be read or written (held by a running daemon, or the
database is not empty); 2 bad config or input that is not an export.`;

const commandUsage: Record<Exclude<Command, 'help' | 'version'>, string> = {
  migrate: migrateUsage,
  store: storeUsage,
  start: startUsage,
  check: checkUsage,
  demo: demoUsage,
  webhooks: webhooksUsage,
  queue: queueUsage,
};

/** The help text for what was asked: `threadline help check`, `threadline check --help`, `threadline --help`. */
export function usageFor(args: ParsedArgs): string {
  const [topic, action] = args.command === 'help' ? args.rest : [args.command, args.rest[0]];
  if (topic === 'webhooks') {
    const chosen = webhooksActionOf(action);
    if (chosen === 'register') return registerUsage;
    if (chosen === 'list') return listUsage;
    return webhooksUsage;
  }
  if (
    topic === 'start' ||
    topic === 'check' ||
    topic === 'demo' ||
    topic === 'queue' ||
    topic === 'migrate' ||
    topic === 'store'
  ) {
    return commandUsage[topic];
  }
  return usage;
}
