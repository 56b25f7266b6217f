/**
 * `rollback-commander …` — the same flows as Slack, on the same database and queue; also the
 * break-glass path when Slack is down. Role checks apply to `--as` exactly as in Slack.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError, UserFacingError } from '../domain/errors.ts';
import { SEVERITIES, TRIGGERS, type Severity, type Trigger } from '../domain/incident.ts';
import { isStepId, STEP_IDS, type StepId } from '../domain/steps.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import { DRILL_MARK } from '../domain/drill.ts';
import { SCENARIO_NAMES } from '../drill/scenarios.ts';
import { abortIncident, markCritical, markGood } from '../flows/incident-commands.ts';
import { abortStep, approveStep, confirmStep, runStep, skipStep } from '../flows/step-commands.ts';
import { startRollback } from '../flows/start-rollback.ts';
import { correctTimes } from '../flows/correct-times.ts';
import { exportTimeline } from '../flows/export-timeline.ts';
import { checkIdentity, osIdentity } from './cli-identity.ts';
// Only types and light modules here: the clients (pg, BullMQ, Kubernetes, Slack, GitHub) load per
// command, in open() and the actions, so `--help`, `completion` and `--version` start fast.
import type { Container } from './container.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { DOCTOR_GROUPS, doctorGroup, type DoctorGroup } from './doctor-groups.ts';
import type { CliOrigin } from '../domain/origin.ts';
import { incidentLine, renderChecklist, renderTimeline } from './text-report.ts';
import { doctorJson, incidentJson, statusJson, toJson } from './cli-json.ts';
import { completionScript, SHELLS, type Shell } from './cli-completion.ts';
import { readFileSync } from 'node:fs';

/** From package.json (src/app or dist/app: two levels up either way), so a release never lies about itself. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ rollback-commander ${l}`).join('\n')}`;
const STEPS_HELP = `\nSteps (in runbook order):\n  ${STEP_IDS.join('\n  ')}`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT) — the worker drains then. */
  stopSignal?: Promise<void>;
  /** Who runs this command on which host (default: os.userInfo() and os.hostname()); tests inject one. */
  osIdentity?: () => CliOrigin;
}

function stepArg(value: string): StepId {
  if (!isStepId(value)) throw new UserFacingError('invalid_input', `unknown step "${value}": one of ${STEP_IDS.join(', ')}`);
  return value;
}

/** Said once when a command's jobs could not reach Redis (the URL may hold a password: not shown). */
export const REDIS_DOWN =
  "warning: the job queue (REDIS_URL) is unreachable: the steps are queued in Postgres and will run when a worker reaches Redis (its reconciler picks them up). Check Redis and that a worker runs: 'rollback-commander doctor'";

function concurrencyArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 200) throw new InvalidArgumentError('use a whole number of parallel steps from 1 to 200, like --concurrency 16');
  return n;
}

function groupsArg(value: string): DoctorGroup[] {
  const groups = value.split(',').map((g) => g.trim()).filter(Boolean);
  const bad = groups.filter((g) => !(DOCTOR_GROUPS as readonly string[]).includes(g));
  if (bad.length || !groups.length) {
    throw new InvalidArgumentError(`unknown check group ${bad.join(', ') || '(none)'}: use some of ${DOCTOR_GROUPS.join(',')}, like --only db,redis`);
  }
  return groups as DoctorGroup[];
}

function dateArg(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UserFacingError('invalid_input', `"${value}" is not a time: use ISO 8601, like 2026-11-24T03:12:00Z`);
  return d;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let container: Container | null = null;
  let closeReader: (() => Promise<void>) | null = null;
  const origin = (io.osIdentity ?? osIdentity)();
  /** `deferKubeErrors`: commands that need no cluster (list, status, export) or report it as one check (doctor). */
  const open = async (configPath: string | undefined, { deferKubeErrors = false } = {}): Promise<Container> => {
    const [{ loadConfig }, { createLogger }, { createSlackServices }, { createSlackAnnouncer }, { createContainer }] = await Promise.all([
      import('./config.ts'), import('./logger.ts'), import('./slack/slack-services.ts'), import('./slack/slack-announcer.ts'), import('./container.ts'),
    ]);
    const config = loadConfig(io.env, configPath);
    // 'error': the CLI says what a person needs (Redis down, say) itself, once; warn-level JSON lines were noise.
    const log = createLogger(io.env.LOG_LEVEL ?? 'error');
    // With Slack configured, --as is checked against Slack user groups too (config user ids when
    // Slack is unreachable), and a worker started here announces in Slack like the bot's.
    const slack = createSlackServices(config, log);
    let c!: Container;
    c = await createContainer(config, {
      log,
      env: io.env,
      roles: slack?.roles,
      announcer: slack ? createSlackAnnouncer({ slack, store: () => c.deps.store, config: config.runbook, now: () => new Date() }) : undefined,
      origin,
      redisFailFast: true,
      deferKubeErrors,
    });
    container = c;
    return c;
  };
  // Only as the first argument: commander's .version() would also take `mark-good --version v1.2.2`.
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.out(VERSION);
    return 0;
  }
  /** list, status and export: the bot's database alone (bot-database.ts), so they start fast and need nothing else. */
  const read = async (configPath: string | undefined): Promise<Reader> => {
    const [{ loadConfig }, { createLogger }, { openBotDatabase }, { createPgIncidentStore }] = await Promise.all([
      import('./config.ts'), import('./logger.ts'), import('./bot-database.ts'), import('../adapters/db/pg-incident-store.ts'),
    ]);
    const config = loadConfig(io.env, configPath);
    const pool = await openBotDatabase(config, createLogger(io.env.LOG_LEVEL ?? 'error'));
    closeReader = () => pool.end();
    return { deps: { store: createPgIncidentStore(pool, config.runbook.environment.name), config: config.runbook, now: () => new Date() } };
  };
  const program = buildProgram(io, open, read, origin);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(isAppError(err) ? `error: ${mentionsAsText(err.message)}` : `unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await (container as Container | null)?.close();
    await (closeReader as (() => Promise<void>) | null)?.();
  }
}

/** What the read-only commands need: the incident store, the runbook (export's SLA budgets), the clock. */
interface Reader {
  deps: Pick<FlowDeps, 'store' | 'config' | 'now'>;
}

function buildProgram(
  io: CliIo,
  open: (configPath: string | undefined, options?: { deferKubeErrors?: boolean }) => Promise<Container>,
  read: (configPath: string | undefined) => Promise<Reader>,
  origin: CliOrigin,
): Command {
  const program = new Command('rollback-commander')
    .description('Runs the production rollback runbook: the same engine as the Slack bot.')
    .option('-c, --config <file>', 'runbook config (default: $ROLLBACK_CONFIG or rollback.yml)')
    .addHelpText('after', `${examples('start v1.2.3 --as U0123', 'status rb-12 -o json', 'doctor --only db,redis')}
\nShell completion: source <(rollback-commander completion bash)   # or zsh
Version: rollback-commander --version (or -V)`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const cfg = () => program.opts<{ config?: string }>().config;
  const asOption = () => new Option('--as <user>', 'Slack user id you act as (default: $ROLLBACK_AS)').default(io.env.ROLLBACK_AS);
  /** The Slack user `--as` names, once cli.identities allows this OS user to act as them. */
  const actor = (c: Container, o: { as?: string }, incidentId: string | null = null): Promise<string> => checkIdentity(c, io, origin, o.as, incidentId);

  program
    .command('start <bad-version>')
    .addHelpText('after', examples('start v1.2.3 --as U0123', 'start v1.2.3 --to v1.2.2 --sev P2 --issue https://github.com/org/app/issues/77 --as U0123'))
    .description('open a rollback incident for the bad release')
    .option('--to <tag>', 'target release (default: the proposal, approved by the captain)')
    .addOption(new Option('--sev <severity>', 'severity').choices(SEVERITIES).default('P1'))
    .addOption(new Option('--trigger <trigger>', 'runbook trigger').choices(TRIGGERS).default('slo_breach'))
    .option('--issue <url>', 'incident issue link')
    .option('--impact-started <time>', 'first bad request (ISO 8601)', dateArg)
    .option('--detected <time>', 'detection time (ISO 8601, default now)', dateArg)
    .option('--no-autopilot', 'every step waits for its Run (default: autopilot as rollback.yml sets it)')
    .option('--drill', 'a rehearsal (game day): marked everywhere, no issue comment or #releases milestones — it still acts on the real cluster')
    .addOption(asOption())
    .action(async (bad: string, o) => {
      const c = await open(cfg());
      const incident = await startRollback(c.deps, {
        badVersion: bad, target: o.to, severity: o.sev as Severity, trigger: o.trigger as Trigger, issueUrl: o.issue,
        impactStartedAt: o.impactStarted, detectedAt: o.detected, actor: await actor(c, o), autopilot: o.autopilot as boolean, drill: o.drill === true,
      });
      const auto = incident.autopilot ? 'autopilot is on (`--no-autopilot` turns it off)' : 'autopilot is off: every step waits for `run`';
      if (incident.drill) io.out(`${DRILL_MARK} ${incident.id} is a drill: it acts on the real cluster; no issue comment, no #releases milestones`);
      io.out(`started ${incident.id}: rollback of ${incident.badVersion} in ${incident.environment}; announce, capture_context and select_release are queued; ${auto}`);
      if (!c.queueReachable()) io.err(REDIS_DOWN);
      io.out(`next: rollback-commander status ${incident.id}`);
    });

  program
    .command('run <incident> <step>')
    .addHelpText('after', `${examples('run rb-12 pause_deploys --as U0123', 'run rb-12 revert_images --no-wait --as U0123')}\n${STEPS_HELP}`)
    .description('run (or retry) a step and follow its progress')
    .option('--no-wait', 'return once the step is queued')
    .addOption(asOption())
    .action(async (incidentId: string, step: string, o) => {
      const c = await open(cfg());
      const since = await lastEventId(c, incidentId);
      const job = await runStep(c.deps, { incidentId, stepId: stepArg(step), actor: await actor(c, o, incidentId) });
      io.out(`queued ${job.stepId} (attempt ${job.attempt}) in ${incidentId}`);
      if (o.wait) await follow(c, io, incidentId, job.stepId, since);
    });

  program
    .command('approve <incident> <step>')
    .addHelpText('after', `${examples('approve rb-12 select_release --as U0123', 'approve rb-12 select_release --to v1.2.1 --as U0123')}\n${STEPS_HELP}`)
    .description('approve a step (the target release, a revert, resume, a database step)')
    .option('--to <tag>', 'for select_release: approve this target instead of the proposal')
    .option('--no-wait', 'do not follow a plan being applied')
    .addOption(asOption())
    .action(async (incidentId: string, step: string, o) => {
      const c = await open(cfg());
      const since = await lastEventId(c, incidentId);
      const res = await approveStep(c.deps, { incidentId, stepId: stepArg(step), actor: await actor(c, o, incidentId), target: o.to });
      io.out(res.complete ? `approved ${step} in ${incidentId}` : `approval recorded for ${step}; one more, from a different person, is needed`);
      if (res.applying) {
        io.out('every approval is in: applying the approved plan');
        if (o.wait) await follow(c, io, incidentId, res.applying.stepId, since);
      }
    });

  program
    .command('confirm <incident> <step>')
    .addHelpText('after', `${examples("confirm rb-12 verify_cutover --note 'error rate back to baseline' --as U0123")}\n${STEPS_HELP}`)
    .description('confirm a manual check')
    .option('--note <text>', 'what you checked')
    .addOption(asOption())
    .action(async (incidentId: string, step: string, o) => {
      const c = await open(cfg());
      await confirmStep(c.deps, { incidentId, stepId: stepArg(step), actor: await actor(c, o, incidentId), note: o.note });
      io.out(`confirmed ${step} in ${incidentId}`);
    });

  program
    .command('skip <incident> <step>')
    .addHelpText('after', `${examples("skip rb-12 pause_deploys --reason 'deploys already frozen' --as U0123")}\n${STEPS_HELP}`)
    .description('skip a step (captain; reason required)')
    .requiredOption('--reason <text>', 'why (goes in the timeline and summary)')
    .addOption(asOption())
    .action(async (incidentId: string, step: string, o) => {
      const c = await open(cfg());
      await skipStep(c.deps, { incidentId, stepId: stepArg(step), actor: await actor(c, o, incidentId), reason: o.reason });
      io.out(`skipped ${step} in ${incidentId}`);
    });

  program
    .command('abort <incident> [step]')
    .addHelpText('after', `${examples("abort rb-12 revert_images --reason 'wrong target' --as U0123", "abort rb-12 --reason 'false alarm' --as U0123")}\n${STEPS_HELP}`)
    .description('abort a running step, or the whole rollback (captain)')
    .option('--reason <text>', 'why')
    .addOption(asOption())
    .action(async (incidentId: string, step: string | undefined, o) => {
      const c = await open(cfg());
      if (step) await abortStep(c.deps, { incidentId, stepId: stepArg(step), actor: await actor(c, o, incidentId), reason: o.reason });
      else await abortIncident(c.deps, { incidentId, actor: await actor(c, o, incidentId), reason: o.reason ?? '' });
      io.out(step ? `aborted ${step} in ${incidentId}` : `aborted incident ${incidentId}`);
    });

  program
    .command('correct-times <incident>')
    .addHelpText('after', examples('correct-times rb-12 --impact-started 2026-11-24T03:12:00Z --as U0123'))
    .description('correct the first bad request and/or the detection time (captain or SRE); SLA timers follow')
    .option('--impact-started <time>', 'first bad request (ISO 8601)', dateArg)
    .option('--detected <time>', 'detection time (ISO 8601)', dateArg)
    .addOption(asOption())
    .action(async (incidentId: string, o) => {
      const c = await open(cfg());
      const changes = await correctTimes(c.deps, { incidentId, actor: await actor(c, o, incidentId), impactStartedAt: o.impactStarted, detectedAt: o.detected });
      io.out(changes.length ? changes.map((e) => `corrected ${String(e.payload?.field)}: ${String(e.payload?.from ?? 'not set')} → ${String(e.payload?.to)}`).join('\n') : 'nothing changed: the times were already those');
    });

  program
    .command('export <incident>')
    .addHelpText('after', examples('export rb-12 > postmortem.md', 'export rb-12 --progress', 'export rb-12 -o json'))
    .description('a Markdown postmortem timeline from the incident record')
    .option('--progress', 'include every progress line')
    .addOption(outputOption())
    .action(async (incidentId: string, o) => {
      const c = await read(cfg());
      const markdown = await exportTimeline(c.deps, incidentId, { progress: o.progress ?? false });
      if (o.output !== 'json') return io.out(markdown);
      const json = statusJson(await c.deps.store.get(incidentId), await c.deps.store.timeline(incidentId));
      io.out(toJson({ ...json, markdown }));
    });

  program
    .command('mark-critical <incident>')
    .addHelpText('after', examples("mark-critical rb-12 --reason 'tokens exposed in logs' --as U0123"))
    .description('security exposure or data corruption found: offer the backup restore (captain or SRE)')
    .requiredOption('--reason <text>', 'what was found')
    .addOption(asOption())
    .action(async (incidentId: string, o) => {
      const c = await open(cfg());
      await markCritical(c.deps, { incidentId, actor: await actor(c, o, incidentId), reason: o.reason });
      io.out(`${incidentId} is critical: backup_restore is offered`);
    });

  program
    .command('status <incident>')
    .addHelpText('after', examples('status rb-12', 'status rb-12 -o json | jq .steps'))
    .description('the checklist and the timeline with timestamps')
    .addOption(outputOption())
    .action(async (incidentId: string, o) => {
      const c = await read(cfg());
      const snap = await c.deps.store.get(incidentId);
      if (o.output === 'json') return io.out(toJson(statusJson(snap, await c.deps.store.timeline(incidentId))));
      io.out(renderChecklist(snap, c.deps.now()));
      io.out(`\nTimeline\n${renderTimeline(await c.deps.store.timeline(incidentId))}`);
    });

  program
    .command('list')
    .addHelpText('after', examples('list --open', 'list -o json | jq -r ".[].id"'))
    .description('recent incidents, newest first')
    .option('--open', 'open incidents only')
    .addOption(outputOption())
    .action(async (o) => {
      const c = await read(cfg());
      const incidents = await c.deps.store.list({ openOnly: o.open ?? false, limit: 20 });
      if (o.output === 'json') return io.out(toJson(incidents.map(incidentJson)));
      io.out(incidents.length ? incidents.map(incidentLine).join('\n') : 'no incidents');
    });

  program
    .command('mark-good')
    .addHelpText('after', examples('mark-good --as U0123', 'mark-good --version v1.2.2 --as U0123'))
    .description('record the images running now as a known-good release')
    .option('--version <tag>', 'the release they are (default: their common tag)')
    .addOption(asOption())
    .action(async (o) => {
      const c = await open(cfg());
      const res = await markGood({ ...c.deps, deployments: c.deployments }, { actor: await actor(c, o), version: o.version });
      io.out(`recorded ${res.version} as known good: ${Object.entries(res.images).map(([n, i]) => `${n}=${i}`).join(', ')}`);
    });

  program
    .command('doctor')
    .addHelpText('after', examples('doctor', 'doctor --only db,redis', 'doctor -o json'))
    .description('check, before an incident needs them: Slack, GitHub, Kubernetes, databases, Redis')
    .option('--only <groups>', `comma-separated checks to run: ${DOCTOR_GROUPS.join(',')}`, groupsArg)
    .addOption(outputOption())
    .action(async (o: { only?: DoctorGroup[]; output: string }) => {
      const c = await open(cfg(), { deferKubeErrors: true });
      const [{ checkAll, doctorChecks, runDoctor }, { databaseDoctorChecks }, { createSlackServices }] = await Promise.all([
        import('./doctor.ts'), import('./doctor-database.ts'), import('./slack/slack-services.ts'),
      ]);
      const slack = createSlackServices(c.config, c.deps.log);
      const all = doctorChecks(c, slack, databaseDoctorChecks(c.config, io.env));
      const checks = o.only ? all.filter((check) => o.only!.includes(doctorGroup(check.name))) : all;
      const ok = o.output === 'json' ? printJson(io, doctorJson(await checkAll(checks))) : await runDoctor(checks, io.out);
      if (!ok) throw new CommanderError(1, 'doctor', 'some checks failed');
    });

  program
    .command('worker')
    .addHelpText('after', examples('worker --concurrency 16'))
    .description('run the step worker (and, with Slack, the thread relay) until SIGTERM, which drains the running steps')
    .option('--concurrency <n>', 'parallel steps, 1–200 (default: queue.concurrency in rollback.yml)', concurrencyArg)
    .action(async (o) => {
      const [{ loadConfig }, { createLogger }, { startBot }, { waitForRedis }] = await Promise.all([
        import('./config.ts'), import('./logger.ts'), import('./bot.ts'), import('./startup-redis.ts')]);
      const config = loadConfig(io.env, cfg());
      if (o.concurrency) config.runbook.queue.concurrency = o.concurrency;
      const log = createLogger(io.env.LOG_LEVEL ?? 'warn');
      await waitForRedis(config.env.REDIS_URL, { timeoutMs: config.env.STARTUP_TIMEOUT, log });
      const bot = await startBot(config, log, { mode: 'worker', http: false });
      io.out(`worker ready (queue prefix ${config.env.QUEUE_PREFIX})`);
      await (io.stopSignal ?? new Promise(() => undefined));
      io.out('stopping: waiting for running steps to finish');
      await bot.stop();
    });
  program
    .command('drill')
    .addHelpText('after', examples('drill', 'drill --scenario failed-rollout'))
    .description('drill mode: the bot on a simulated cluster and GitHub, no config needed; the console is at http://localhost:3000/ (PORT)')
    .addOption(new Option('--scenario <name>', 'start this drill at once').choices(SCENARIO_NAMES))
    .action(async (o: { scenario?: string }) => {
      const { runDrillMode } = await import('../drill/run.ts');
      await runDrillMode({ env: io.env, out: io.out, scenario: o.scenario, stopSignal: io.stopSignal ?? new Promise(() => undefined) });
    });
  program
    .command('completion <shell>')
    .description('print a shell completion script (commands and step ids)')
    .addHelpText('after', examples('completion bash > /etc/bash_completion.d/rollback-commander', 'completion zsh > "${fpath[1]}/_rollback-commander"'))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new UserFacingError('invalid_input', `no completion for "${shell}": use one of ${SHELLS.join(', ')}`);
      io.out(completionScript(shell as Shell, program.commands.map((c) => c.name())));
    });
  return program;
}

function printJson(io: CliIo, result: { ok: boolean }): boolean {
  io.out(toJson(result));
  return result.ok;
}

async function lastEventId(c: Container, incidentId: string): Promise<number> {
  return (await c.deps.store.timeline(incidentId)).at(-1)?.id ?? 0;
}

/** Live progress: print the events after `since` (taken before the command) until the step settles. */
async function follow(c: Container, io: CliIo, incidentId: string, stepId: StepId, since: number): Promise<void> {
  let seen = since;
  for (;;) {
    const events = (await c.deps.store.timeline(incidentId)).filter((e) => e.id > seen);
    // The command's own events (queued, approvals) were already said above.
    const fresh = events.filter((e) => e.kind !== 'step_queued' && e.kind !== 'approval_given');
    if (fresh.length) io.out(renderTimeline(fresh));
    seen = events.at(-1)?.id ?? seen;
    const step = (await c.deps.store.get(incidentId)).steps.get(stepId)!;
    if (step.state !== 'queued' && step.state !== 'running') {
      io.out(mentionsAsText(`${stepId}: ${step.state}${step.error ? ` — ${step.error}` : step.summary ? ` — ${step.summary}` : ''}`));
      if (step.state === 'failed') throw new CommanderError(1, 'step_failed', step.error ?? 'failed');
      return;
    }
    await sleep(250);
  }
}

if (import.meta.main) {
  // The worker drains on the first SIGTERM/SIGINT; any other command stops at once (a second
  // signal stops the worker too), so Ctrl-C always works.
  let draining = false;
  const stop = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // The worker and drill mode stop cleanly on the first signal.
      if ((process.argv.includes('worker') || process.argv.includes('drill')) && !draining) {
        draining = true;
        return resolve();
      }
      process.stderr.write(`stopped by ${signal}\n`);
      process.exit(130);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    stopSignal: stop,
  });
  process.exit(code);
}
