/**
 * The checklist update coalescer: a fresh update goes out at once however recently the last one
 * did (a click's effect must not wait out a window); only what arrives while a send is in flight
 * is merged, into one follow-up that ends on the newest item.
 */
import { describe, expect, it, vi } from 'vitest';
import { createUpdateCoalescer } from '../../src/adapters/slack/update-coalescer.ts';
import { until } from '../support/wait.ts';

function recorder() {
  const sent: number[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  return {
    sent,
    holdNext: () => void (hold = true),
    release: () => release?.(),
    send: async (_key: string, item: number) => {
      sent.push(item);
      if (hold) {
        hold = false;
        await new Promise<void>((r) => (release = r));
      }
    },
  };
}

describe('update coalescer', () => {
  // A clock that never moves: under the old rule every send after the first waited a whole
  // (here: one hour) window, and these tests would time out.
  const frozen = () => 1_000_000;

  it('sends an update to an idle incident at once, even right after the previous send', async () => {
    const r = recorder();
    const c = createUpdateCoalescer({ windowMs: 3_600_000, send: r.send, now: frozen });
    await c.submit('inc', 1);
    await c.submit('inc', 2);
    await c.submit('inc', 3);
    expect(r.sent).toEqual([1, 2, 3]);
  });

  it('holds a flood to three sends per window: the rest wait and merge into the newest', async () => {
    const r = recorder();
    const c = createUpdateCoalescer({ windowMs: 3_600_000, send: r.send, now: frozen });
    for (const item of [1, 2, 3]) await c.submit('inc', item);
    // Fake timers let the test run everything due before the window ends, instead of sleeping
    // for some milliseconds and hoping that was long enough for a wrong send to show.
    vi.useFakeTimers();
    let held: Promise<void>[];
    try {
      held = [c.submit('inc', 4), c.submit('inc', 5)];
      await vi.advanceTimersByTimeAsync(3_600_000 - 1);
      expect(r.sent).toEqual([1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
    await c.flush();
    await Promise.all(held);
    expect(r.sent).toEqual([1, 2, 3, 5]);
  });

  it('merges what arrives while a send is in flight into one follow-up that carries the newest item', async () => {
    const r = recorder();
    const c = createUpdateCoalescer({ windowMs: 0, send: r.send, now: frozen });
    r.holdNext();
    const first = c.submit('inc', 1);
    await until('the first send to be in flight', () => r.sent.length === 1);
    expect(r.sent).toEqual([1]);
    const later = [c.submit('inc', 2), c.submit('inc', 3), c.submit('inc', 4)];
    r.release();
    await Promise.all([first, ...later]);
    expect(r.sent).toEqual([1, 4]);
  });
});
