/**
 * Pushes a page's live region to its open browsers when the incident changes. A change made in
 * this process (a click, a step the in-process worker runs) nudges at once through the flows'
 * IncidentObserver; a change made elsewhere (a separate worker, the CLI, another replica) is
 * found by re-reading the store every `pollMs` — only for pages someone has open. A region is
 * sent only when its HTML differs from what was last sent, so an idle incident costs nothing.
 */
export interface LiveFeed {
  /** Sends the region now and on every change; returns the unsubscribe. */
  subscribe(key: string, render: () => Promise<string>, send: (html: string) => void): () => void;
  /** Something in the incident changed: re-render its page and the list soon. */
  changed(incidentId: string): void;
  close(): void;
}

interface Topic {
  render: () => Promise<string>;
  last: string | null;
  subscribers: Set<(html: string) => void>;
  running: Promise<void> | null;
  again: boolean;
}

export const LIST_KEY = '*list*';

export function createLiveFeed(options: { pollMs?: number; onError?: (err: unknown) => void } = {}): LiveFeed {
  const topics = new Map<string, Topic>();
  const pollMs = options.pollMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;

  function check(topic: Topic): Promise<void> {
    if (topic.running) {
      topic.again = true;
      return topic.running;
    }
    topic.running = (async () => {
      do {
        topic.again = false;
        try {
          const html = await topic.render();
          if (html !== topic.last) {
            topic.last = html;
            for (const send of topic.subscribers) send(html);
          }
        } catch (err) {
          options.onError?.(err);
        }
      } while (topic.again);
    })().finally(() => {
      topic.running = null;
    });
    return topic.running;
  }

  function ensureTimer(): void {
    if (timer || topics.size === 0) return;
    timer = setInterval(() => {
      for (const topic of topics.values()) void check(topic);
    }, pollMs);
    timer.unref();
  }

  return {
    subscribe(key, render, send) {
      let topic = topics.get(key);
      if (!topic) {
        topic = { render, last: null, subscribers: new Set(), running: null, again: false };
        topics.set(key, topic);
      }
      const t = topic;
      // The page was rendered before the stream opened: send what is current to this one browser.
      void t.render().then((html) => send(html), options.onError);
      t.subscribers.add(send);
      ensureTimer();
      return () => {
        t.subscribers.delete(send);
        if (t.subscribers.size === 0) topics.delete(key);
        if (topics.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    changed(incidentId) {
      for (const key of [incidentId, LIST_KEY]) {
        const topic = topics.get(key);
        if (topic) void check(topic);
      }
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      topics.clear();
    },
  };
}
