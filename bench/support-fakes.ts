/**
 * What the bot talks to, kept off the bot's thread so their CPU is not billed to the bot: the
 * fake cluster in a worker thread, and Slack's Web API either
 * - `server` (default): a stand-in on 127.0.0.1 in that same thread — the bot's WebClient makes
 *   real HTTP calls, as it does to slack.com, and nothing leaves the machine; or
 * - `nock`: nock in the bot's thread, as the tests do (BENCH_SLACK=nock).
 */
import { Worker } from 'node:worker_threads';
import { createSlackTally, type SlackTally } from './support-slack-answers.ts';

export type SlackMode = 'server' | 'nock';

export interface Fakes {
  mode: SlackMode;
  kubeconfigPath: string;
  slackApiUrl: string;
  slack: SlackTally;
  close(): Promise<void>;
}

type FromWorker =
  | { ready: { kubeconfigPath: string; slackApiUrl: string | null } }
  | { call: string; text?: string }
  | { closed: true };

export async function startFakes(mode: SlackMode): Promise<Fakes> {
  const worker = new Worker(new URL('./support-fakes-worker.ts', import.meta.url), { workerData: { slack: mode } });
  // nock intercepts from the moment it is imported: only load it when asked for.
  const nock = mode === 'nock' ? await import('./support-fake-slack.ts') : null;
  const nocked = nock ? nock.startNockSlack() : null;
  const slack = nocked ?? createSlackTally();
  let onClosed = () => {};
  const ready = await new Promise<{ kubeconfigPath: string; slackApiUrl: string | null }>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (msg: FromWorker) => {
      if ('ready' in msg) resolve(msg.ready);
      else if ('call' in msg) slack.record(msg.call, msg.text);
      else onClosed();
    });
  });
  return {
    mode,
    kubeconfigPath: ready.kubeconfigPath,
    slackApiUrl: ready.slackApiUrl ?? nock!.BENCH_SLACK_API_URL,
    slack,
    async close() {
      await new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.postMessage('close');
      });
      await worker.terminate();
      nocked?.close();
    },
  };
}
