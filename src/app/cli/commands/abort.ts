import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, stepArg, stepExamples } from '../options.ts';

export function registerAbort(program: Command, ctx: CliContext): void {
  program
    .command('abort <incident> [step]')
    .addHelpText(
      'after',
      stepExamples(
        "abort rb-12 revert_images --reason 'wrong target' --as U0123",
        "abort rb-12 --reason 'false alarm' --as U0123",
      ),
    )
    .description('abort a running step, or the whole rollback (captain)')
    .option('--reason <text>', 'why')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, step: string | undefined, o) => {
      const c = await ctx.open();
      if (step) {
        const { abortStep } = await import('../../../flows/step-commands.ts');
        await abortStep(c.deps, {
          incidentId,
          stepId: stepArg(step),
          actor: await ctx.actor(c, o, incidentId),
          reason: o.reason,
        });
        ctx.io.out(`aborted ${step} in ${incidentId}`);
        return;
      }
      const { abortIncident } = await import('../../../flows/incident-commands.ts');
      await abortIncident(c.deps, {
        incidentId,
        actor: await ctx.actor(c, o, incidentId),
        reason: o.reason ?? '',
      });
      ctx.io.out(`aborted incident ${incidentId}`);
    });
}
