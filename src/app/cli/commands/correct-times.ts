import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, dateArg, examples } from '../options.ts';

export function registerCorrectTimes(program: Command, ctx: CliContext): void {
  program
    .command('correct-times <incident>')
    .addHelpText('after', examples('correct-times rb-12 --impact-started 2026-11-24T03:12:00Z --as U0123'))
    .description('correct the first bad request and/or the detection time (captain or SRE); SLA timers follow')
    .option('--impact-started <time>', 'first bad request (ISO 8601)', dateArg)
    .option('--detected <time>', 'detection time (ISO 8601)', dateArg)
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, o) => {
      const c = await ctx.open();
      const { correctTimes } = await import('../../../flows/correct-times.ts');
      const changes = await correctTimes(c.deps, {
        incidentId,
        actor: await ctx.actor(c, o, incidentId),
        impactStartedAt: o.impactStarted,
        detectedAt: o.detected,
      });
      const line = (e: (typeof changes)[number]) =>
        `corrected ${String(e.payload?.field)}: ${String(e.payload?.from ?? 'not set')} → ${String(e.payload?.to)}`;
      ctx.io.out(changes.length ? changes.map(line).join('\n') : 'nothing changed: the times were already those');
    });
}
