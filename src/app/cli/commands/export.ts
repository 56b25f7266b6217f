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
      const { readExport } = await import('../../../flows/export-timeline.ts');
      const { snap, events, markdown } = await readExport(c.deps, incidentId, { progress: o.progress ?? false });
      if (o.output !== 'json') return ctx.io.out(markdown);
      ctx.io.out(toJson({ ...statusJson(snap, events), markdown }));
    });
}
