import type { Command } from 'commander';
import { type CliContext, follow, lastEventId } from '../context.ts';
import { asOption, stepArg, stepExamples } from '../options.ts';

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run <incident> <step>')
    .addHelpText(
      'after',
      stepExamples('run rb-12 pause_deploys --as U0123', 'run rb-12 revert_images --no-wait --as U0123'),
    )
    .description('run (or retry) a step and follow its progress')
    .option('--no-wait', 'return once the step is queued')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, step: string, o) => {
      const c = await ctx.open();
      const { runStep } = await import('../../../flows/step-commands.ts');
      const since = await lastEventId(c, incidentId);
      const job = await runStep(c.deps, {
        incidentId,
        stepId: stepArg(step),
        actor: await ctx.actor(c, o, incidentId),
      });
      ctx.io.out(`queued ${job.stepId} (attempt ${job.attempt}) in ${incidentId}`);
      if (o.wait) await follow(c, ctx.io, incidentId, job.stepId, since);
    });
}
