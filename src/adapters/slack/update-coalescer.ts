/**
 * Latest-wins coalescing per key (one key per incident). During a rollout the worker reports
 * progress many times a second; Slack allows about one update per message per second, so a burst
 * becomes at most one send per window and the newest item given is always the one sent last.
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
  lastSentAt: number;
  failures: number;
}

export function createUpdateCoalescer<T>(options: UpdateCoalescerOptions<T>): UpdateCoalescer<T> {
  const slots = new Map<string, Slot<T>>();
  const now = options.now ?? Date.now;
  const maxRedeliveries = options.maxRedeliveries ?? 3;

  function schedule(key: string, slot: Slot<T>): void {
    if (slot.timer || slot.inFlight || !slot.pending) return;
    const delay = Math.max(0, slot.lastSentAt + options.windowMs - now());
    slot.timer = setTimeout(() => fire(key, slot), delay);
    slot.timer.unref();
  }

  function fire(key: string, slot: Slot<T>): void {
    slot.timer = null;
    const batch = slot.pending;
    if (!batch) return;
    slot.pending = null;
    slot.inFlight = options.send(key, batch.item).then(
      () => {
        slot.failures = 0;
        for (const w of batch.waiters) w.resolve();
      },
      (err: unknown) => {
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
      slot.inFlight = null;
      slot.lastSentAt = now();
      if (slot.pending) schedule(key, slot);
      else forgetWhenIdle(key, slot);
    });
  }

  /** The slot remembers lastSentAt for one window (so the next update still waits), then goes. */
  function forgetWhenIdle(key: string, slot: Slot<T>): void {
    setTimeout(() => {
      if (!slot.pending && !slot.timer && !slot.inFlight && slots.get(key) === slot) slots.delete(key);
    }, options.windowMs).unref();
  }

  return {
    submit(key, item) {
      let slot = slots.get(key);
      if (!slot) {
        slot = { pending: null, timer: null, inFlight: null, lastSentAt: 0, failures: 0 };
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
