/**
 * The worker-thread side of support-http-client.ts: sends a batch of requests at once with the
 * thread's own fetch (no nock here) and reports when each was sent and when its response was
 * read, on process.hrtime — one monotonic clock for every thread of the process.
 */
import { parentPort } from 'node:worker_threads';
import type { BatchRequest, BatchResult } from './support-http-client.ts';

const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

async function sendOne(url: string, req: { body: string; headers: Record<string, string> }) {
  const start = hrMs();
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  return { start, end: hrMs(), status: res.status, text: res.status === 200 ? '' : text.slice(0, 200) };
}

parentPort!.on('message', (batch: BatchRequest) => {
  const url = `http://127.0.0.1:${batch.port}/slack/events`;
  void Promise.all(batch.requests.map((req) => sendOne(url, req))).then(
    (results) => parentPort!.postMessage({ id: batch.id, results } satisfies BatchResult),
    (err: unknown) => parentPort!.postMessage({ id: batch.id, error: String(err) } satisfies BatchResult),
  );
});
