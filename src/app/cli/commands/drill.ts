import { type Command, Option } from 'commander';
import { SCENARIO_NAMES } from '../../../drill/scenarios.ts';
import type { CliContext } from '../context.ts';
import { examples } from '../options.ts';

export function registerDrill(program: Command, ctx: CliContext): void {
  program
    .command('drill')
    .addHelpText('after', examples('drill', 'drill --scenario failed-rollout'))
    .description(
      'drill mode: the bot on a simulated cluster and GitHub, no config needed; the console is at http://localhost:3000/ (PORT)',
    )
    .addOption(new Option('--scenario <name>', 'start this drill at once').choices(SCENARIO_NAMES))
    .action(async (o: { scenario?: string }) => {
      const { runDrillMode } = await import('../../../drill/run.ts');
      const { io } = ctx;
      await runDrillMode({
        env: io.env,
        out: io.out,
        scenario: o.scenario,
        stopSignal: io.stopSignal ?? new Promise(() => undefined),
      });
    });
}
