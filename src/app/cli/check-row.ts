/** The platform a check talks to, as shown in the table. */
export type CheckPlatform = 'messages.dev' | 'Slack' | 'Discord';

/** One line of `threadline check`: a single thing verified against a platform. */
export interface CheckRow {
  readonly platform: CheckPlatform;
  /** What was checked, e.g. `channel C0123456789 (routes[0])`. */
  readonly what: string;
  readonly ok: boolean;
  /** What was found: the evidence for ✓, the problem for ✗. Never a secret. */
  readonly result: string;
  /** What to do about a ✗, naming the config key or the platform setting. */
  readonly fix?: string;
}

export function passed(platform: CheckPlatform, what: string, result: string): CheckRow {
  return { platform, what, ok: true, result };
}

export function failed(platform: CheckPlatform, what: string, result: string, fix: string): CheckRow {
  return { platform, what, ok: false, result, fix };
}
