import type { Command } from 'commander';
import { type CliContext, follow, lastEventId } from '../context.ts';
import { asOption, stepArg, stepExamples } from '../options.ts';

export function registerApprove(program: Command, ctx: CliContext): void {
  program
    .command('approve <incident> <step>')
    .addHelpText(
      'after',
      stepExamples('approve rb-12 select_release --as U0123', 'approve rb-12 select_release --to v1.2.1 --as U0123'),
    )
    .description('approve a step (the target release, a revert, resume, a database step)')
    .option('--to <tag>', 'for select_release: approve this target instead of the proposal')
    .option('--no-wait', 'do not follow a plan being applied')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, step: string, o) => {
      const c = await ctx.open();
      const { approveStep } = await import('../../../flows/step-commands.ts');
      const since = await lastEventId(c, incidentId);
      const actor = await ctx.actor(c, o, incidentId);
      const res = await approveStep(c.deps, {
        incidentId,
        stepId: stepArg(step),
        actor,
        target: o.to,
      });
      ctx.io.out(
        res.complete
          ? `approved ${step} in ${incidentId}`
          : `approval recorded for ${step}; one more, from a different person, is needed`,
      );
      if (res.applying) {
        ctx.io.out('every approval is in: applying the approved plan');
        if (o.wait) await follow(c, ctx.io, incidentId, res.applying.stepId, since);
      }
    });
}
