/**
 * The worker-thread side of support-fakes.ts: the fake cluster (api/web/worker running the bad
 * release v1.2.3, v1.2.2 in their history — as the e2e harness sets it up) and, in `server` mode,
 * a stand-in for Slack's Web API on 127.0.0.1. Each Slack call is reported to the main thread.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { startClusterOnBadRelease } from '../test/support/e2e-harness.ts';
import { decodeSlackBody, slackAnswer } from './support-slack-answers.ts';

const kube = await startClusterOnBadRelease(150);
// The fake records every request for tests; a long benchmark doesn't need them kept.
setInterval(() => void (kube.requests.length = 0), 1000).unref();

let slackApiUrl: string | null = null;
let seq = 0;
const slack = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const form = decodeSlackBody(Buffer.concat(chunks).toString());
    parentPort!.postMessage({
      call: method,
      text: method === 'chat.postEphemeral' ? String(form.text ?? '') : undefined,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(slackAnswer(method, form, ++seq)));
  });
});
if ((workerData as { slack: string }).slack === 'server') {
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackApiUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
}

parentPort!.on('message', (msg: string) => {
  if (msg !== 'close') return;
  slack.closeAllConnections();
  slack.close();
  void kube.close().then(() => parentPort!.postMessage({ closed: true }));
});
parentPort!.postMessage({ ready: { kubeconfigPath: kube.kubeconfigPath, slackApiUrl } });
