import { type Command, Option } from 'commander';
import { DRILL_MARK } from '../../../domain/drill.ts';
import { SEVERITIES, type Severity, TRIGGERS, type Trigger } from '../../../domain/incident.ts';
import type { CliContext } from '../context.ts';
import { REDIS_DOWN } from '../io.ts';
import { asOption, dateArg, examples } from '../options.ts';

export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start <bad-version>')
    .addHelpText(
      'after',
      examples(
        'start v1.2.3 --as U0123',
        'start v1.2.3 --to v1.2.2 --sev P2 --issue https://github.com/org/app/issues/77 --as U0123',
      ),
    )
    .description('open a rollback incident for the bad release')
    .option('--to <tag>', 'target release (default: the proposal, approved by the captain)')
    .addOption(new Option('--sev <severity>', 'severity').choices(SEVERITIES).default('P1'))
    .addOption(new Option('--trigger <trigger>', 'runbook trigger').choices(TRIGGERS).default('slo_breach'))
    .option('--issue <url>', 'incident issue link')
    .option('--impact-started <time>', 'first bad request (ISO 8601)', dateArg)
    .option('--detected <time>', 'detection time (ISO 8601, default now)', dateArg)
    .option('--no-autopilot', 'every step waits for its Run (default: autopilot as rollback.yml sets it)')
    .option(
      '--drill',
      'a rehearsal (game day): marked everywhere, no issue comment or #releases milestones — it still acts on the real cluster',
    )
    .addOption(asOption(ctx.io))
    .action(async (bad: string, o) => {
      const c = await ctx.open();
      const { startRollback } = await import('../../../flows/start-rollback.ts');
      const incident = await startRollback(c.deps, {
        badVersion: bad,
        target: o.to,
        severity: o.sev as Severity,
        trigger: o.trigger as Trigger,
        issueUrl: o.issue,
        impactStartedAt: o.impactStarted,
        detectedAt: o.detected,
        actor: await ctx.actor(c, o),
        autopilot: o.autopilot as boolean,
        drill: o.drill === true,
      });
      const auto = incident.autopilot
        ? 'autopilot is on (`--no-autopilot` turns it off)'
        : 'autopilot is off: every step waits for `run`';
      if (incident.drill) {
        ctx.io.out(
          `${DRILL_MARK} ${incident.id} is a drill: it acts on the real cluster; no issue comment, no #releases milestones`,
        );
      }
      ctx.io.out(
        `started ${incident.id}: rollback of ${incident.badVersion} in ${incident.environment}; announce, capture_context and select_release are queued; ${auto}`,
      );
      if (!c.queueReachable()) ctx.io.err(REDIS_DOWN);
      ctx.io.out(`next: rollback-commander status ${incident.id}`);
    });
}
