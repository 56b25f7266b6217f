import type { Command } from 'commander';
import { statusJson, toJson } from '../../cli-json.ts';
import { renderChecklist, renderTimeline } from '../../text-report.ts';
import type { CliContext } from '../context.ts';
import { examples, outputOption } from '../options.ts';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status <incident>')
    .addHelpText('after', examples('status rb-12', 'status rb-12 -o json | jq .steps'))
    .description('the checklist and the timeline with timestamps')
    .addOption(outputOption())
    .action(async (incidentId: string, o) => {
      const c = await ctx.read();
      const snap = await c.deps.store.get(incidentId);
      if (o.output === 'json') return ctx.io.out(toJson(statusJson(snap, await c.deps.store.timeline(incidentId))));
      ctx.io.out(renderChecklist(snap, c.deps.now()));
      ctx.io.out(`\nTimeline\n${renderTimeline(await c.deps.store.timeline(incidentId))}`);
    });
}
