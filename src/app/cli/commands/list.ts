import type { Command } from 'commander';
import { incidentJson, toJson } from '../../cli-json.ts';
import { incidentLine } from '../../text-report.ts';
import type { CliContext } from '../context.ts';
import { examples, outputOption } from '../options.ts';

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .addHelpText('after', examples('list --open', 'list -o json | jq -r ".[].id"'))
    .description('recent incidents, newest first')
    .option('--open', 'open incidents only')
    .addOption(outputOption())
    .action(async (o) => {
      const c = await ctx.read();
      const incidents = await c.deps.store.list({
        openOnly: o.open ?? false,
        limit: 20,
      });
      if (o.output === 'json') return ctx.io.out(toJson(incidents.map(incidentJson)));
      ctx.io.out(incidents.length ? incidents.map(incidentLine).join('\n') : 'no incidents');
    });
}
