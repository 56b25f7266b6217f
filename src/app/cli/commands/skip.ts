import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, stepArg, stepExamples } from '../options.ts';

export function registerSkip(program: Command, ctx: CliContext): void {
  program
    .command('skip <incident> <step>')
    .addHelpText('after', stepExamples("skip rb-12 pause_deploys --reason 'deploys already frozen' --as U0123"))
    .description('skip a step (captain; reason required)')
    .requiredOption('--reason <text>', 'why (goes in the timeline and summary)')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, step: string, o) => {
      const c = await ctx.open();
      const { skipStep } = await import('../../../flows/step-commands.ts');
      const actor = await ctx.actor(c, o, incidentId);
      await skipStep(c.deps, {
        incidentId,
        stepId: stepArg(step),
        actor,
        reason: o.reason,
      });
      ctx.io.out(`skipped ${step} in ${incidentId}`);
    });
}
