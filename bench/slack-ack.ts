/**
 * Slack benchmarks (issue 3), the bot and its baselines in one process and one run:
 * (a) ack latency — signed request sent → response read — of `/rollback v1.2.3` and of a Run
 *     click at 1, 10 and 50 concurrent requests, beside a bare Bolt app that only acks
 *     (target: the bot's p99 ≤ 1.3× the bare app's at every level);
 * (b) click → step job active (target p99 ≤ 15 ms one at a time, ≤ 2× a bare BullMQ
 *     add → active at 50 concurrent).
 * Clicks are real Run clicks on `capture_context`, a step that runs (and succeeds); N identical
 * clicks on one step queue it once and answer the N−1 others as out of date. Each round waits
 * for the bot's work after the ack (modal, proposal, step job, refusals, relay) before the next.
 * Only the bot and the bare app run on this thread: requests come from a worker thread, and the
 * fake cluster and Slack's Web API from another, so their CPU is not counted as the bot's.
 * Slack's API is a local stand-in by default; BENCH_SLACK=nock intercepts it with nock in the
 * bot's thread instead, as the tests do (that adds nock's own cost to every Slack call the bot
 * makes after an ack, and to its Kubernetes calls).
 *
 *   node bench/slack-ack.ts [runs]
 */
import { cpus, loadavg } from 'node:os';
import { SRE } from '../test/support/runbook-config.ts';
import { slashCommand } from '../test/support/slack-requests.ts';
import { type BareQueue, STEP_WORKER_CONCURRENCY, startBareBolt, startBareQueue } from './support-bare.ts';
import { type BenchBot, type BenchIncident, CLICKED_STEP, startBenchBot } from './support-bench-bot.ts';
import type { SlackMode } from './support-fakes.ts';
import { createSlackSender, hrMs, type Sent, type SlackSender } from './support-http-client.ts';
import { createSamples, round, type Samples, verdict } from './support-stats.ts';
import { type BenchTable, printTable } from './table.ts';

const LEVELS = [1, 10, 50] as const;
/** Clicks at once on as many different steps. */
const DISTINCT = 50;

interface Plan {
  /** Rounds at each concurrency level. */
  rounds: Record<number, number>;
  /** Rounds of DISTINCT clicks on different steps. */
  distinct: number;
}

/** Per run: 100 requests at each level, so p99 is the second largest; 100 clicks on different steps. */
const PLAN: Plan = { rounds: { 1: 100, 10: 10, 50: 2 }, distinct: 2 };
/** JIT, pools and connections warm up on a smaller run that is not counted. */
const WARM_UP: Plan = { rounds: { 1: 10, 10: 2, 50: 1 }, distinct: 1 };
const ACK_RATIO_TARGET = 1.3;
const ACTIVE_ONE_P99_TARGET_MS = 15;
const ACTIVE_CONCURRENT_RATIO_TARGET = 2;

interface Ctx {
  b: BenchBot;
  barePort: number;
  queue: BareQueue;
  sender: SlackSender;
  samples: Samples;
  refusals: { stale: number; other: string[] };
  /** os.loadavg() when the benchmark started: other work on the machine shows in the tails. */
  load: number[];
}

const latencies = (sent: Sent[]) => sent.map((s) => s.end - s.start);

export async function benchSlackAck(
  runs: number,
  slackMode: SlackMode = process.env.BENCH_SLACK === 'nock' ? 'nock' : 'server',
): Promise<BenchTable[]> {
  const b = await startBenchBot(slackMode);
  const bare = await startBareBolt();
  const queue = await startBareQueue();
  const sender = createSlackSender();
  try {
    const ctx: Ctx = {
      b,
      barePort: bare.port,
      queue,
      sender,
      samples: createSamples(),
      refusals: { stale: 0, other: [] },
      load: loadavg(),
    };
    await oneRun({ ...ctx, samples: createSamples(), refusals: { stale: 0, other: [] } }, 'warm-up', -1, WARM_UP);
    for (let run = 0; run < runs; run += 1) await oneRun(ctx, `${run}`, run, PLAN);
    return [ackTable(ctx, runs), activeTable(ctx, runs)];
  } finally {
    await sender.close();
    await queue.close();
    await bare.close();
    await b.close();
  }
}

/** One run of every measure; samples go under `key` (one p50/p99 per measure per run). */
async function oneRun(ctx: Ctx, label: string, key: number, plan: Plan): Promise<void> {
  const incidents = await ctx.b.openIncidents(
    label,
    LEVELS.reduce((n, level) => n + plan.rounds[level]!, 0) + DISTINCT * plan.distinct,
  );
  await ctx.b.settle();
  let next = 0;
  for (const level of LEVELS) {
    for (let round = 0; round < plan.rounds[level]!; round += 1) {
      // Which app goes first alternates, so neither always follows the other's leftovers.
      const botFirst = round % 2 === 0;
      await slashRound(ctx, key, level, botFirst);
      await clickRound(ctx, key, level, incidents[next++]!, botFirst);
    }
  }
  for (let round = 0; round < plan.distinct; round += 1)
    await distinctRound(ctx, key, incidents.slice(next + round * DISTINCT, next + (round + 1) * DISTINCT));
  await bareQueueRounds(ctx, key, label, plan);
  for (const incident of incidents) {
    const state = (await ctx.b.bot.container.deps.store.get(incident.id)).steps.get(CLICKED_STEP)!.state;
    if (state !== 'succeeded')
      throw new Error(
        `${CLICKED_STEP} of ${incident.id} ended ${state}, not succeeded: the clicks did not run what they should have`,
      );
  }
}

async function inOrder(botFirst: boolean, bot: () => Promise<void>, bare: () => Promise<void>): Promise<void> {
  if (botFirst) {
    await bot();
    await bare();
  } else {
    await bare();
    await bot();
  }
}

async function slashRound(ctx: Ctx, run: number, level: number, botFirst: boolean): Promise<void> {
  const bodies = Array.from({ length: level }, () => slashCommand({ text: 'v1.2.3', user: SRE }));
  await inOrder(
    botFirst,
    async () => {
      const updates = ctx.b.slack.count('views.update');
      ctx.samples.add(`slash/${level}/bot`, run, latencies(await ctx.sender.send(ctx.b.bot.port, bodies)));
      // The modal opens after the ack, and the proposal job fills it in with views.update.
      await ctx.b.slack.waitFor(`${level} modal proposals`, () => ctx.b.slack.count('views.update') >= updates + level);
    },
    async () => ctx.samples.add(`slash/${level}/bare`, run, latencies(await ctx.sender.send(ctx.barePort, bodies))),
  );
}

/** `level` identical Run clicks on one step: one queues the job, the others are answered as out of date. */
async function clickRound(
  ctx: Ctx,
  run: number,
  level: number,
  incident: BenchIncident,
  botFirst: boolean,
): Promise<void> {
  const bodies: string[] = Array.from({ length: level }, () => incident.runClick);
  await inOrder(
    botFirst,
    async () => {
      const answered = ctx.b.slack.ephemerals.length;
      const sent = await ctx.sender.send(ctx.b.bot.port, bodies);
      const added = await ctx.b.steps.when('waiting', incident.jobId);
      const active = await ctx.b.steps.when('active', incident.jobId);
      await ctx.b.steps.when('completed', incident.jobId);
      await ctx.b.slack.waitFor(`${level - 1} refusals`, () => ctx.b.slack.ephemerals.length >= answered + level - 1);
      for (const text of ctx.b.slack.ephemerals.slice(answered)) {
        if (text.includes('out of date')) ctx.refusals.stale += 1;
        else ctx.refusals.other.push(text);
      }
      await ctx.b.settle();
      ctx.samples.add(`click/${level}/bot`, run, latencies(sent));
      if (level === 1) {
        ctx.samples.add('active/1/bot', run, [active - sent[0]!.start]);
        ctx.samples.add('added/1/bot', run, [added - sent[0]!.start]);
      }
    },
    async () => ctx.samples.add(`click/${level}/bare`, run, latencies(await ctx.sender.send(ctx.barePort, bodies))),
  );
}

/** 50 Run clicks at once on 50 different steps (one per incident): every one queues a job. */
async function distinctRound(ctx: Ctx, run: number, incidents: BenchIncident[]): Promise<void> {
  const bodies = incidents.map((i) => i.runClick);
  const sent = await ctx.sender.send(ctx.b.bot.port, bodies);
  const added = await Promise.all(incidents.map((i) => ctx.b.steps.when('waiting', i.jobId)));
  const active = await Promise.all(incidents.map((i) => ctx.b.steps.when('active', i.jobId)));
  await Promise.all(incidents.map((i) => ctx.b.steps.when('completed', i.jobId)));
  await ctx.b.settle();
  ctx.samples.add('distinct/bot', run, latencies(sent));
  ctx.samples.add(
    'active/50/bot',
    run,
    active.map((at, i) => at - sent[i]!.start),
  );
  ctx.samples.add(
    'added/50/bot',
    run,
    added.map((at, i) => at - sent[i]!.start),
  );
  ctx.samples.add('distinct/bare', run, latencies(await ctx.sender.send(ctx.barePort, bodies)));
}

async function bareQueueRounds(ctx: Ctx, run: number, label: string, plan: Plan): Promise<void> {
  const { queue, watch } = ctx.queue;
  for (let i = 0; i < plan.rounds[1]!; i += 1) {
    const id = `r${label}_one_${i}`;
    const start = hrMs();
    await queue.add('bare', { i }, { jobId: id });
    const active = await watch.when('active', id);
    await watch.when('completed', id);
    ctx.samples.add('active/1/bare', run, [active - start]);
  }
  for (let round = 0; round < plan.distinct; round += 1) {
    const ids = Array.from({ length: DISTINCT }, (_, i) => `r${label}_many${round}_${i}`);
    const adds: Promise<unknown>[] = [];
    const starts = ids.map((id, i) => {
      const start = hrMs();
      adds.push(queue.add('bare', { i }, { jobId: id }));
      return start;
    });
    await Promise.all(adds);
    const active = await Promise.all(ids.map((id) => watch.when('active', id)));
    await Promise.all(ids.map((id) => watch.when('completed', id)));
    ctx.samples.add(
      'active/50/bare',
      run,
      active.map((at, i) => at - starts[i]!),
    );
  }
}

function setting(ctx: Ctx): string {
  const slack =
    ctx.b.slackMode === 'server'
      ? "Slack's Web API: a local stand-in on 127.0.0.1 in the fakes' thread"
      : "Slack's Web API: nock in the bot's thread";
  const load = `load average (1 min) ${round(ctx.load[0]!, 2)} at start, ${round(loadavg()[0]!, 2)} at end on ${cpus().length} CPUs`;
  return `    ${slack}; fake cluster in a worker thread; signed requests from a worker thread; ${load}`;
}

function ackTable(ctx: Ctx, runs: number): BenchTable {
  const row = (request: string, level: number, measure: string) => {
    const bot = ctx.samples.summary(`${measure}/bot`);
    const bare = ctx.samples.summary(`${measure}/bare`);
    const limit = ACK_RATIO_TARGET * bare.p99;
    return [
      request,
      level,
      round(bot.p50),
      round(bot.p99),
      round(bare.p50),
      round(bare.p99),
      `${round(bot.p99 / bare.p99, 2)}×`,
      `≤ ${ACK_RATIO_TARGET}× bare = ${round(limit)}`,
      verdict(bot.p99, limit),
    ];
  };
  const { stale, other } = ctx.refusals;
  const problems = ctx.b.problems;
  return {
    title: [
      `(a) Slack ack latency (ms), signed request sent → response read: the bot (startBot) vs a bare Bolt app that only acks — median over ${runs} runs of each run's p50/p99`,
      `    per run: ${PLAN.rounds[1]} requests one at a time, ${PLAN.rounds[10]} rounds of 10, ${PLAN.rounds[50]} rounds of 50 (p99 is nearest-rank: the 2nd largest of 100); each round waits for the bot's work after the ack`,
      '    both apps in this process, served the same way: our HTTP server with the HTTPReceiver requestListener as fallback (processBeforeResponse off)',
      setting(ctx),
      `    identical clicks answered "out of date": ${stale}${other.length ? `; answered otherwise: ${other.length} (e.g. "${other[0]!.slice(0, 80)}")` : ''}; the bot logged ${problems.length} warning(s)/error(s)${problems.length ? `, first: ${problems[0]!.slice(0, 200)}` : ''}`,
    ].join('\n'),
    columns: [
      'request',
      'concurrent',
      'bot p50',
      'bot p99',
      'bare p50',
      'bare p99',
      'p99 ratio',
      'target (bot p99)',
      'verdict',
    ],
    rows: [
      ...LEVELS.map((level) => row('/rollback v1.2.3 (modal opens after the ack)', level, `slash/${level}`)),
      ...LEVELS.map((level) =>
        row(
          level === 1
            ? `Run click on ${CLICKED_STEP} (it runs)`
            : `Run click ×${level} on one step (1 runs, ${level - 1} out of date)`,
          level,
          `click/${level}`,
        ),
      ),
      row(`Run clicks on ${DISTINCT} different steps (all run)`, DISTINCT, 'distinct'),
    ],
  };
}

function activeTable(ctx: Ctx, runs: number): BenchTable {
  const s = (measure: string) => ctx.samples.summary(measure);
  const info = (label: string, m: string) => [label, round(s(m).p50), round(s(m).p99), '', ''];
  const one = s('active/1/bot');
  const many = s('active/50/bot');
  const limit = ACTIVE_CONCURRENT_RATIO_TARGET * s('active/50/bare').p99;
  return {
    title: [
      `(b) click → step job active (ms): signed Run click sent → BullMQ 'active' event seen (QueueEvents from '0-0'), beside a bare queue.add → 'active' seen the same way — median over ${runs} runs of each run's p50/p99`,
      `    one at a time: ${PLAN.rounds[1]} per run, each on a fresh incident; ${DISTINCT} concurrent: ${PLAN.distinct} rounds per run of ${DISTINCT} clicks at once on ${DISTINCT} incidents' ${CLICKED_STEP} (one open incident per environment, so ${DISTINCT} environments)`,
      `    bare: same Redis, a worker with the bot's step-worker concurrency (${STEP_WORKER_CONCURRENCY}) and a processor that returns at once; "job added" = the queue's 'waiting' event`,
      setting(ctx),
    ].join('\n'),
    columns: ['measure', 'p50', 'p99', 'target (p99)', 'verdict'],
    rows: [
      [
        'bot: Run click → step job active, one at a time',
        round(one.p50),
        round(one.p99),
        `≤ ${ACTIVE_ONE_P99_TARGET_MS}`,
        verdict(one.p99, ACTIVE_ONE_P99_TARGET_MS),
      ],
      info('  of which click → job added', 'added/1/bot'),
      info('bare BullMQ: queue.add → active, one at a time', 'active/1/bare'),
      [
        `bot: Run click → step job active, ${DISTINCT} concurrent`,
        round(many.p50),
        round(many.p99),
        `≤ ${ACTIVE_CONCURRENT_RATIO_TARGET}× bare = ${round(limit)}`,
        verdict(many.p99, limit),
      ],
      info('  of which click → job added', 'added/50/bot'),
      info(`bare BullMQ: queue.add → active, ${DISTINCT} concurrent`, 'active/50/bare'),
    ],
  };
}

if (import.meta.main) {
  const runs = Number(process.argv[2] ?? 5);
  for (const table of await benchSlackAck(runs)) printTable(table);
}
