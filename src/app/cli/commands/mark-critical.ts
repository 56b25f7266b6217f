import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, examples } from '../options.ts';

export function registerMarkCritical(program: Command, ctx: CliContext): void {
  program
    .command('mark-critical <incident>')
    .addHelpText('after', examples("mark-critical rb-12 --reason 'tokens exposed in logs' --as U0123"))
    .description('security exposure or data corruption found: offer the backup restore (captain or SRE)')
    .requiredOption('--reason <text>', 'what was found')
    .addOption(asOption(ctx.io))
    .action(async (incidentId: string, o) => {
      const c = await ctx.open();
      const { markCritical } = await import('../../../flows/incident-commands.ts');
      await markCritical(c.deps, {
        incidentId,
        actor: await ctx.actor(c, o, incidentId),
        reason: o.reason,
      });
      ctx.io.out(`${incidentId} is critical: backup_restore is offered`);
    });
}
