/**
 * Slack's side of the ack benchmark: signed requests sent from a worker thread. In the bot's own
 * thread, a response would only be read once the event loop got past the work the handler does
 * after ack() — work Slack never waits for — and nock's interceptors would sit on every request.
 * A thread of its own reads each response as soon as it arrives, as Slack would.
 */
import { Worker } from 'node:worker_threads';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';
import { signSlackRequest } from '../test/support/slack-sign.ts';

export interface BatchRequest {
  id: number;
  port: number;
  requests: { body: string; headers: Record<string, string> }[];
}

export interface Sent {
  /** process.hrtime in ms: comparable with hrMs() in any thread of this process. */
  start: number;
  end: number;
  status: number;
  text: string;
}

export type BatchResult = { id: number; results: Sent[] } | { id: number; error: string };

export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface SlackSender {
  /** Sends every body at once, each signed as Slack signs it; resolves when all are answered. */
  send(port: number, bodies: string[]): Promise<Sent[]>;
  close(): Promise<void>;
}

export function createSlackSender(): SlackSender {
  const worker = new Worker(new URL('./support-http-client-worker.ts', import.meta.url));
  const waiting = new Map<number, { resolve(r: Sent[]): void; reject(e: Error): void }>();
  let nextId = 0;
  worker.on('message', (msg: BatchResult) => {
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if ('error' in msg) w?.reject(new Error(`while sending signed requests: ${msg.error}`));
    else w?.resolve(msg.results);
  });
  worker.on('error', (err) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  return {
    send(port, bodies) {
      const id = ++nextId;
      const requests = bodies.map((body) => ({ body, headers: { ...signSlackRequest(SIGNING_SECRET, body) } }));
      return new Promise<Sent[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, port, requests } satisfies BatchRequest);
      }).then((results) => {
        const bad = results.find((r) => r.status !== 200);
        if (bad)
          throw new Error(
            `the app answered ${bad.status} (${bad.text}): the benchmark's requests must all be accepted`,
          );
        return results;
      });
    },
    close: async () => void (await worker.terminate()),
  };
}
