/**
 * Runbook: `npm run test:smoke -- --env production`. Either the smoke workflow is dispatched
 * (workflow_dispatch with the configured inputs and ref) and followed to its conclusion, or a
 * configured argv command runs with a timeout; with neither, a person runs them and confirms.
 * The dispatched run is checkpointed, so a worker that dies mid-poll resumes the same run instead
 * of dispatching a second one; a Retry (a new attempt) dispatches a fresh run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ms from 'ms';
import { childEnv } from '../../../domain/child-env.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import type { RunExecutor, StepContext, StepOutcome } from '../../executor.ts';
import type { CommandRunner } from '../../ports/commands.ts';
import type { SmokeWorkflowSource, WorkflowRun } from '../../ports.ts';
import { readOutput } from '../_shared/step-output.ts';
import { type SmokeRecord, type SmokeTestsOutput, smokeTestsOutputSchema } from './output.ts';

type Smoke = StepContext['config']['validation']['smoke'];

const MAX_PROGRESS_LINES = 40;

export function createSmokeTests(deps: {
  sourceControl: SmokeWorkflowSource | null;
  commands: CommandRunner;
  env?: NodeJS.ProcessEnv;
}): RunExecutor {
  return {
    async run(ctx) {
      const smoke = ctx.config.validation.smoke;
      if (smoke.command) return runSmokeCommand(ctx, smoke, smoke.command, deps.env ?? process.env, deps.commands);
      if (!smoke.workflow) {
        return {
          outcome: 'awaiting_confirmation',
          summary: `Not automated (no validation.smoke in rollback.yml): run \`npm run test:smoke -- --env production\`, then press Confirm`,
          output: { manual: true } satisfies SmokeTestsOutput,
        };
      }
      if (!deps.sourceControl)
        throw new UserFacingError(
          'config_invalid',
          'cannot dispatch the smoke workflow: GITHUB_TOKEN is not set. Set it (Actions read/write) and Retry, or run the smoke tests by hand and Skip with a reason',
        );
      return runSmokeWorkflow(ctx, smoke, smoke.workflow, deps.sourceControl);
    },
  };
}

async function runSmokeWorkflow(
  ctx: StepContext,
  smoke: Smoke,
  workflow: string,
  sc: SmokeWorkflowSource,
): Promise<StepOutcome> {
  const ref = smoke.ref ?? ctx.config.github.default_branch;
  const started = performance.now();
  const earlier = readOutput('smoke_tests', smokeTestsOutputSchema, ctx.previous).smoke;
  let rec: SmokeRecord =
    earlier?.attempt === ctx.step.attempt
      ? earlier
      : { attempt: ctx.step.attempt, workflow, ref, dispatchedAt: ctx.now().toISOString(), dispatched: false };
  if (rec !== earlier) await ctx.checkpoint({ smoke: rec });
  if (rec.runId === undefined) {
    if (!rec.dispatched) {
      // Resumed after a crash between the checkpoint and the dispatch: GitHub may have it already.
      const already = rec === earlier ? await sc.findDispatchedRun(workflow, new Date(rec.dispatchedAt)) : undefined;
      if (!already) await sc.dispatchWorkflow(workflow, ref, smoke.inputs);
      rec = { ...rec, dispatched: true };
      await ctx.checkpoint({ smoke: rec });
      await ctx.progress(`dispatched ${workflow} on ${ref}${inputsText(smoke.inputs)}`);
    }
    const run = await discoverRun(ctx, sc, smoke, rec);
    rec = { ...rec, runId: run.id, url: run.htmlUrl };
    await ctx.checkpoint({ smoke: rec });
    await ctx.progress(`smoke run ${run.htmlUrl} is ${run.status.replace('_', ' ')}`);
  }
  const run = await followRun(ctx, sc, smoke, rec, started);
  if (run.conclusion === 'success') {
    return {
      outcome: 'succeeded',
      summary: `Smoke tests passed: ${workflow} on ${ref} — ${run.htmlUrl}`,
      output: { smoke: rec, conclusion: run.conclusion } satisfies SmokeTestsOutput,
    };
  }
  throw new UserFacingError(
    'upstream_error',
    `the smoke tests failed: ${workflow} on ${ref} concluded "${run.conclusion ?? 'unknown'}" — ${run.htmlUrl}. Read the failing job, fix the cause, then Retry (or Skip with a reason)`,
  );
}

/** The run our dispatch started: GitHub lists it a few seconds after the dispatch is accepted. */
async function discoverRun(
  ctx: StepContext,
  sc: SmokeWorkflowSource,
  smoke: Smoke,
  rec: SmokeRecord,
): Promise<WorkflowRun> {
  const deadline = performance.now() + smoke.discovery_timeout;
  for (;;) {
    const run = await sc.findDispatchedRun(rec.workflow, new Date(rec.dispatchedAt));
    if (run) return run;
    if (performance.now() >= deadline) {
      throw new UserFacingError(
        'timeout',
        `dispatched ${rec.workflow} on ${rec.ref}, but no run appeared within ${ms(smoke.discovery_timeout, { long: true })}: check the workflow has a workflow_dispatch trigger and the Actions tab, then Retry`,
      );
    }
    await pause(ctx, smoke.poll_interval);
  }
}

async function followRun(
  ctx: StepContext,
  sc: SmokeWorkflowSource,
  smoke: Smoke,
  rec: SmokeRecord,
  started: number,
): Promise<WorkflowRun> {
  let last = '';
  for (;;) {
    const run = await sc.getRun(rec.runId!);
    if (run.status === 'completed') return run;
    if (run.status !== last && last !== '')
      await ctx.progress(`smoke run ${run.htmlUrl} is ${run.status.replace('_', ' ')}`);
    last = run.status;
    if (performance.now() - started >= smoke.timeout) {
      throw new UserFacingError(
        'timeout',
        `the smoke run ${run.htmlUrl} has not finished after ${ms(smoke.timeout, { long: true })} (validation.smoke.timeout): look at it, then Retry or Skip with a reason`,
      );
    }
    await pause(ctx, smoke.poll_interval);
  }
}

async function runSmokeCommand(
  ctx: StepContext,
  smoke: Smoke,
  argv: string[],
  env: NodeJS.ProcessEnv,
  commands: CommandRunner,
): Promise<StepOutcome> {
  const passed = childEnv(smoke.env, env, 'validation.smoke.env');
  let lines = 0;
  let chain = Promise.resolve();
  const result = await commands
    .run({
      argv,
      env: passed,
      timeoutMs: smoke.timeout,
      secrets: Object.values(passed),
      signal: ctx.signal,
      what: 'the smoke test command (validation.smoke.command)',
      onOutput: ({ line }) => {
        lines += 1;
        if (lines <= MAX_PROGRESS_LINES) chain = chain.then(() => ctx.progress(line)).catch(() => undefined);
      },
    })
    .finally(() => chain);
  return {
    outcome: 'succeeded',
    summary: `Smoke tests passed: \`${argv.join(' ')}\` exited 0 in ${Math.round(result.durationMs / 1000)} s`,
    output: { command: argv, durationMs: result.durationMs, tail: result.tail } satisfies SmokeTestsOutput,
  };
}

async function pause(ctx: StepContext, delayMs: number): Promise<void> {
  await sleep(delayMs, undefined, { signal: ctx.signal }).catch(() => {
    throw new UserFacingError('aborted', 'the smoke tests were aborted while waiting for the run');
  });
}

function inputsText(inputs: Record<string, string>): string {
  const pairs = Object.entries(inputs).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? ` (${pairs.join(', ')})` : '';
}
