import type { Command } from 'commander';
import { statusJson, toJson } from '../../cli-json.ts';
import type { CliContext } from '../context.ts';
import { examples, outputOption } from '../options.ts';

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export <incident>')
    .addHelpText('after', examples('export rb-12 > postmortem.md', 'export rb-12 --progress', 'export rb-12 -o json'))
    .description('a Markdown postmortem timeline from the incident record')
    .option('--progress', 'include every progress line')
    .addOption(outputOption())
    .action(async (incidentId: string, o) => {
      const c = await ctx.read();
      const { exportTimeline } = await import('../../../flows/export-timeline.ts');
      const markdown = await exportTimeline(c.deps, incidentId, {
        progress: o.progress ?? false,
      });
      if (o.output !== 'json') return ctx.io.out(markdown);
      const json = statusJson(await c.deps.store.get(incidentId), await c.deps.store.timeline(incidentId));
      ctx.io.out(toJson({ ...json, markdown }));
    });
}
