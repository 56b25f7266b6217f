/**
 * The whole bot as `npm start` runs it (startBot: Bolt in HTTP mode, the step worker, the
 * proposal worker, the timeline relay) on a fresh Postgres schema and BullMQ prefix, against the
 * fake cluster and Slack of support-fakes.ts, with production timings (no test coalescing or relay
 * intervals). Warnings and errors the bot logs are kept, so a run that went wrong says so.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createPgChatCursor } from '../src/adapters/db/pg-chat-cursor.ts';
import { jobIdOf, STEP_QUEUE } from '../src/adapters/queue/bullmq-step-queue.ts';
import { encodeButtonValue } from '../src/adapters/slack/action-ids.ts';
import { type Bot, startBot } from '../src/app/bot.ts';
import { loadConfig } from '../src/app/config.ts';
import { advance } from '../src/domain/step-machine.ts';
import type { IncidentStore } from '../src/flows/ports.ts';
import { SRE, testConfigYaml } from '../test/support/runbook-config.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from '../test/support/services.ts';
import { buttonClick, SIGNING_SECRET } from '../test/support/slack-requests.ts';
import { type Fakes, type SlackMode, startFakes } from './support-fakes.ts';
import { type JobWatch, watchJobs } from './support-job-watch.ts';
import type { SlackTally } from './support-slack-answers.ts';

/** The step every benchmark click runs: read-only, quick, and Run-able by the on-call SRE. */
export const CLICKED_STEP = 'capture_context';

export interface BenchIncident {
  id: string;
  /** A Run click on CLICKED_STEP at its current version, as the checklist renders it (unsigned). */
  runClick: string;
  jobId: string;
}

export interface BenchBot {
  bot: Bot;
  slackMode: SlackMode;
  slack: SlackTally;
  steps: JobWatch;
  problems: string[];
  /**
   * Open incidents with every step pending, as if announced (chat refs set, so the relay posts
   * their thread lines and checklist updates like any other). The store allows one open incident
   * per environment, so each gets an environment of its own; nothing on a click's path reads it.
   */
  openIncidents(label: string, count: number): Promise<BenchIncident[]>;
  /** Waits until the relay has nothing left to send. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchBot(slackMode: SlackMode): Promise<BenchBot> {
  const fakes = await startFakes(slackMode);
  const dir = await mkdtemp(join(tmpdir(), 'rc-bench-'));
  const schema = uniqueName('rc_bench');
  const prefix = uniqueName('rcbench');
  const cleanUp = () => dropAll(fakes, dir, schema, prefix);
  try {
    const configPath = join(dir, 'rollback.yml');
    await writeFile(configPath, testConfigYaml());
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      KUBECONFIG: fakes.kubeconfigPath,
      TARGET_REDIS_URL: `${REDIS_URL}/5`,
      ROLLBACK_CONFIG: configPath,
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fakes.slackApiUrl,
      PORT: '0',
    };
    const problems: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void problems.push(line) });
    // BENCH_BOT_MODE=split: Slack in this process (ROLLBACK_MODE=web), steps and the relay in a
    // `rollback-commander worker` process, as a deployment that wants acks off the step loop runs it.
    const split = process.env.BENCH_BOT_MODE === 'split';
    const bot = await startBot(loadConfig(env), log, { mode: split ? 'web' : 'all' });
    const worker = split ? await startWorkerProcess(bot, env) : null;
    const steps = await watchJobs(STEP_QUEUE, prefix);
    return {
      bot,
      slackMode,
      slack: fakes.slack,
      steps,
      problems,
      openIncidents: (label, count) =>
        Promise.all(Array.from({ length: count }, (_, i) => openIncident(bot, `bench-${label}-${i}`))),
      settle: () => (worker ? relayDrained(bot) : bot.relay!.tick()),
      async close() {
        await steps.close();
        if (worker) await stopProcess(worker);
        await bot.stop();
        await cleanUp();
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

async function startWorkerProcess(bot: Bot, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/app/cli.ts', 'worker'], { env, stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while ((await bot.container.queue.queue.getWorkers()).length === 0) {
    if (Date.now() > deadline) throw new Error('the worker process did not connect within 30 s');
    await sleep(50);
  }
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The worker process's relay has sent every event to (stand-in) Slack. */
async function relayDrained(bot: Bot): Promise<void> {
  const cursor = createPgChatCursor(bot.container.pool, { environment: bot.container.config.runbook.environment.name });
  const deadline = Date.now() + 30_000;
  while ((await cursor.pending()).length > 0 && Date.now() < deadline) await sleep(50);
}

async function dropAll(fakes: Fakes, dir: string, schema: string, prefix: string): Promise<void> {
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
  await dropTestState(schema, prefix);
}

async function openIncident(bot: Bot, environment: string): Promise<BenchIncident> {
  const store = bot.container.deps.store;
  const id = await createBenchIncident(store, environment);
  const step = (await store.get(id)).steps.get(CLICKED_STEP)!;
  return {
    id,
    runClick: buttonClick(SRE, {
      action_id: 'step_run',
      value: encodeButtonValue({ incidentId: id, stepId: CLICKED_STEP, version: step.version }),
    }),
    // The attempt the click queues, as runStep numbers it.
    jobId: jobIdOf({
      incidentId: id,
      stepId: CLICKED_STEP,
      attempt: advance(step, 'enqueue', new Date(), SRE).attempt,
    }),
  };
}

/**
 * A P2 incident with both checklist messages posted. No timeline event: the relay would spend
 * seconds posting 'started' lines for incidents nobody reads before the measuring starts.
 */
export async function createBenchIncident(
  store: IncidentStore,
  environment: string,
  options: { autopilot?: boolean } = {},
): Promise<string> {
  const now = new Date();
  const incident = await store.create(
    {
      environment,
      badVersion: 'v1.2.3',
      targetVersion: null,
      targetSource: null,
      severity: 'P2',
      trigger: 'slo_breach',
      critical: false,
      issueUrl: null,
      createdBy: SRE,
      createdAt: now,
      impactStartedAt: null,
      detectedAt: now,
      ...(options.autopilot === undefined ? {} : { autopilot: options.autopilot }),
    },
    [],
  );
  const ts = `1795521600.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  await store.setChatRef(incident.id, 'incidents', { channel: 'C0INCIDENTS', ts });
  await store.setChatRef(incident.id, 'releases', { channel: 'C0RELEASES', ts });
  return incident.id;
}
