/**
 * Issue 9 §4: what a drill incident says about itself, in one place for every surface (checklist,
 * thread, CLI status, export, console). A drill still acts on the cluster the bot points at — the
 * banner says so, because a game day on staging is real work on staging.
 */
export const DRILL_BANNER =
  'DRILL — a rehearsal, not a real incident. It still acts on the cluster, GitHub and database the bot points at; it posts no GitHub issue comment and no #releases milestones.';

/** The short mark in front of a title or a thread's first line. */
export const DRILL_MARK = '[DRILL]';

export function drillPrefix(incident: { drill?: boolean }): string {
  return incident.drill ? `${DRILL_MARK} ` : '';
}
