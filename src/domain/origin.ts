/**
 * Where a person's action came from when it was not Slack: the CLI, run by an OS user on a host.
 * Slack vouches for a Slack user id; the CLI only knows what `--as` claims, so every CLI action
 * carries the OS account too and the record shows both ("via CLI: alice@bastion-1 as U0123").
 */
export interface CliOrigin {
  osUser: string;
  host: string;
}

export function isCliOrigin(value: unknown): value is CliOrigin {
  if (typeof value !== 'object' || value === null) return false;
  return typeof (value as CliOrigin).osUser === 'string' && typeof (value as CliOrigin).host === 'string';
}

/** "via CLI: alice@bastion-1 as U0123CAPTAIN" */
export function viaCli(origin: CliOrigin, actor: string): string {
  return `via CLI: ${origin.osUser}@${origin.host} as ${actor}`;
}

/**
 * How an actor is shown: `render(actor)` alone for Slack and the system, with the CLI account
 * after it when the action came from the CLI (`via` is the event payload's or record's origin).
 */
export function actorText(actor: string, via: unknown, render: (id: string) => string = (id) => id): string {
  return isCliOrigin(via) ? `${render(actor)} (${viaCli(via, actor)})` : render(actor);
}
