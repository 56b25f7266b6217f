/**
 * One private answer per user per button per few seconds: a storm of identical clicks (a stuck
 * mouse, a laggy client) still runs through the flows — each refusal is in the timeline, and the
 * thread counts them on one line — but the user gets one "out of date" answer, not 49.
 */
export function createAnswerThrottle(options: { windowMs?: number; now?: () => number } = {}) {
  const windowMs = options.windowMs ?? 5000;
  const now = options.now ?? Date.now;
  const answered = new Map<string, number>();
  return {
    /** True the first time `key` is asked for within the window. */
    first(key: string): boolean {
      const t = now();
      for (const [k, at] of answered) if (t - at >= windowMs) answered.delete(k);
      if (answered.has(key)) return false;
      answered.set(key, t);
      return true;
    },
  };
}
