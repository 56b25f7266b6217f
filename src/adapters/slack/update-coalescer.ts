/**
 * Latest-wins coalescing per key (one key per incident). An update to a quiet key goes out at
 * once, so a click's effect shows without waiting (issue 8: ≤ 300 ms of the ack). What arrives
 * while a send is in flight is merged into one follow-up. During a rollout the worker reports
 * progress many times a second and Slack allows about one update per message per second, so at
 * most BURST sends start per window; past that, updates wait and merge, and the newest item given
 * is always the one sent last.
 * Nothing is dropped silently: every caller's promise settles with the send that carried its
 * item or a newer one.
 */
import { isTransient } from '../../domain/errors.ts';

export interface UpdateCoalescerOptions<T> {
  windowMs: number;
  send: (key: string, item: T) => Promise<void>;
  /** A transient failure is sent again (the newest item) up to this many times in a row. */
  maxRedeliveries?: number;
  now?: () => number;
}

export interface UpdateCoalescer<T> {
  submit(key: string, item: T): Promise<void>;
  /** Sends everything pending now, ignoring the window, and waits until all is settled. */
  flush(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Slot<T> {
  pending: { item: T; waiters: Waiter[] } | null;
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
  /** When the sends of the last window started. */
  recent: number[];
  failures: number;
}

/** Sends per window that go out without waiting: a click, the step starting, its first progress. */
const BURST = 3;

export function createUpdateCoalescer<T>(options: UpdateCoalescerOptions<T>): UpdateCoalescer<T> {
  const slots = new Map<string, Slot<T>>();
  const now = options.now ?? Date.now;
  const maxRedeliveries = options.maxRedeliveries ?? 3;

  function schedule(key: string, slot: Slot<T>): void {
    if (slot.timer || slot.inFlight || !slot.pending) return;
    const t = now();
    slot.recent = slot.recent.filter((at) => at > t - options.windowMs);
    const delay = slot.recent.length < BURST ? 0 : Math.max(0, slot.recent[0]! + options.windowMs - t);
    slot.timer = setTimeout(() => fire(key, slot), delay);
    slot.timer.unref();
  }

  function fire(key: string, slot: Slot<T>): void {
    slot.timer = null;
    const batch = slot.pending;
    if (!batch) return;
    slot.pending = null;
    slot.recent.push(now());
    // inFlight is cleared before the waiters hear back: an update they submit at once is not in flight's shadow.
    slot.inFlight = options.send(key, batch.item).then(
      () => {
        slot.inFlight = null;
        slot.failures = 0;
        for (const w of batch.waiters) w.resolve();
      },
      (err: unknown) => {
        slot.inFlight = null;
        if (isTransient(err) && slot.failures < maxRedeliveries) {
          slot.failures += 1;
          // Re-send: the newer item if one arrived meanwhile (it carries these waiters too), else this one.
          if (slot.pending) slot.pending.waiters.unshift(...batch.waiters);
          else slot.pending = batch;
          return;
        }
        slot.failures = 0;
        for (const w of batch.waiters) w.reject(err);
      },
    );
    void slot.inFlight.finally(() => {
      if (slot.pending) schedule(key, slot);
      else forgetWhenIdle(key, slot);
    });
  }

  /** The slot remembers its recent sends for one window (so a flood still waits), then goes. */
  function forgetWhenIdle(key: string, slot: Slot<T>): void {
    setTimeout(() => {
      if (!slot.pending && !slot.timer && !slot.inFlight && slots.get(key) === slot) slots.delete(key);
    }, options.windowMs).unref();
  }

  return {
    submit(key, item) {
      let slot = slots.get(key);
      if (!slot) {
        slot = { pending: null, timer: null, inFlight: null, recent: [], failures: 0 };
        slots.set(key, slot);
      }
      const done = new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject };
        if (slot.pending) {
          slot.pending.item = item;
          slot.pending.waiters.push(waiter);
        } else {
          slot.pending = { item, waiters: [waiter] };
        }
      });
      schedule(key, slot);
      return done;
    },

    async flush() {
      for (;;) {
        const busy = [...slots.entries()].filter(([, s]) => s.timer || s.inFlight || s.pending);
        if (busy.length === 0) return;
        for (const [key, slot] of busy) {
          if (slot.timer) {
            clearTimeout(slot.timer);
            fire(key, slot);
          }
        }
        // The finally() above runs after inFlight settles; yield once more so it has.
        await Promise.allSettled(busy.map(([, s]) => s.inFlight));
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
