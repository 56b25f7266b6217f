import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { asOption, examples } from '../options.ts';

export function registerMarkGood(program: Command, ctx: CliContext): void {
  program
    .command('mark-good')
    .addHelpText('after', examples('mark-good --as U0123', 'mark-good --version v1.2.2 --as U0123'))
    .description('record the images running now as a known-good release')
    .option('--version <tag>', 'the release they are (default: their common tag)')
    .addOption(asOption(ctx.io))
    .action(async (o) => {
      const c = await ctx.open();
      const { markGood } = await import('../../../flows/incident-commands.ts');
      const res = await markGood(
        { ...c.deps, deployments: c.deployments },
        { actor: await ctx.actor(c, o), version: o.version },
      );
      const images = Object.entries(res.images).map(([n, i]) => `${n}=${i}`);
      ctx.io.out(`recorded ${res.version} as known good: ${images.join(', ')}`);
    });
}
