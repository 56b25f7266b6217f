/**
 * The CLI identity model (issue 13 item 1): with cli.identities, `--as` is checked against the
 * OS account running the command, refusals are recorded, and every action carries the account.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_DOWN } from '../../src/app/cli/io.ts';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';

const alice = { osUser: 'alice', host: 'bastion-1' };
let h: Harness;
let container: Container;

beforeAll(async () => {
  h = await createHarness({ configOverrides: `cli: { identities: { alice: [${SRE}], bob: [${CAPTAIN}] } }` });
  // No GitHub here: start checks what the cluster runs.
  delete h.env.GITHUB_TOKEN;
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent') });
});
afterAll(async () => {
  await container?.close();
  await h?.close();
});

it('lets an OS user act only as the Slack ids cli.identities gives them, and records who tried', async () => {
  const started = await h.cliFrom(alice, 'start', 'v1.2.3', '--as', SRE);
  expect(started.err).toBe('');
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
  const timeline = await container.deps.store.timeline(incidentId);
  expect(timeline.find((e) => e.kind === 'incident_started')).toMatchObject({ actor: SRE, payload: { via: alice } });

  const posing = await h.cliFrom(alice, 'mark-critical', incidentId, '--reason', 'test', '--as', CAPTAIN);
  expect(posing.code).toBe(1);
  expect(posing.err).toBe(
    `error: OS user alice (on bastion-1) may act only as ${SRE}, not ${CAPTAIN}: use your own Slack id, or ask whoever maintains rollback.yml to add it to cli.identities.alice`,
  );
  const refusal = (await container.deps.store.timeline(incidentId)).find((e) => e.kind === 'action_refused');
  expect(refusal).toMatchObject({ actor: CAPTAIN, payload: { action: 'cli_identity', via: alice } });
  expect((await container.deps.store.get(incidentId)).incident.critical).toBe(false);

  const stranger = await h.cliFrom(
    { osUser: 'mallory', host: 'laptop' },
    'abort',
    incidentId,
    '--reason',
    'x',
    '--as',
    CAPTAIN,
  );
  expect(stranger.err).toContain('OS user mallory (on laptop) is not listed under cli.identities, not UCAPTAIN1');
  expect((await container.deps.store.get(incidentId)).incident.state).toBe('open');

  const status = await h.cli('status', incidentId);
  expect(status.out).toContain(`${SRE} (via CLI: alice@bastion-1 as ${SRE})`);
  expect(
    (await h.cliFrom({ osUser: 'bob', host: 'bastion-2' }, 'abort', incidentId, '--reason', 'done', '--as', CAPTAIN))
      .code,
  ).toBe(0);
});

it('says once, quickly, that the steps wait in Postgres when Redis is down, without log lines', async () => {
  const redisUrl = h.env.REDIS_URL;
  h.env.REDIS_URL = 'redis://127.0.0.1:1';
  const began = Date.now();
  const started = await h.cliFrom(alice, 'start', 'v1.2.3', '--as', SRE);
  const tookMs = Date.now() - began;
  h.env.REDIS_URL = redisUrl;
  expect(started.code).toBe(0);
  expect(started.err).toBe(REDIS_DOWN);
  // Was 13.5 s; the SLA-timer resync alone may wait its 5 s budget, nothing more.
  expect(tookMs).toBeLessThan(8000);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
  expect((await container.deps.store.get(incidentId)).steps.get('select_release')!.state).toBe('queued');
  expect(
    (await h.cliFrom({ osUser: 'bob', host: 'bastion-2' }, 'abort', incidentId, '--reason', 'done', '--as', CAPTAIN))
      .code,
  ).toBe(0);
});

it('rejects a worker concurrency that is not a number', async () => {
  const res = await h.cli('worker', '--concurrency', 'lots');
  expect(res.code).toBe(1);
  expect(res.err).toContain(
    "option '--concurrency <n>' argument 'lots' is invalid. use a whole number of parallel steps from 1 to 200",
  );
});
