import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, stepArg, stepExamples } from '../options.ts';

export function registerConfirm(program: Command, ctx: CliContext): void {
  program
    .command('confirm <incident> <step>')
    .addHelpText('after', stepExamples("confirm rb-12 verify_cutover --note 'error rate back to baseline' --as U0123"))
    .description('confirm a manual check')
    .option('--note <text>', 'what you checked')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, step: string, o) => {
      const c = await ctx.open();
      const { confirmStep } = await import('../../../flows/step-commands.ts');
      const actor = await ctx.actor(c, o, incidentId);
      await confirmStep(c.deps, {
        incidentId,
        stepId: stepArg(step),
        actor,
        note: o.note,
      });
      ctx.io.out(`confirmed ${step} in ${incidentId}`);
    });
}
