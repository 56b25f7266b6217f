import { type Command, CommanderError } from 'commander';
import { doctorJson, toJson } from '../../cli-json.ts';
import { DOCTOR_GROUPS, type DoctorGroup, doctorGroup } from '../../doctor-groups.ts';
import type { CliContext } from '../context.ts';
import { examples, groupsArg, outputOption } from '../options.ts';

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .addHelpText('after', examples('doctor', 'doctor --only db,redis', 'doctor -o json'))
    .description('check, before an incident needs them: Slack, GitHub, Kubernetes, databases, Redis')
    .option('--only <groups>', `comma-separated checks to run: ${DOCTOR_GROUPS.join(',')}`, groupsArg)
    .addOption(outputOption())
    .action(async (o: { only?: DoctorGroup[]; output: string }) => {
      const c = await ctx.open({ deferKubeErrors: true });
      const [{ checkAll, doctorChecks, runDoctor }, { databaseDoctorChecks }, { createSlackServices }] =
        await Promise.all([
          import('../../doctor.ts'),
          import('../../doctor-database.ts'),
          import('../../slack/slack-services.ts'),
        ]);
      const slack = createSlackServices(c.config, c.deps.log);
      const all = doctorChecks(c, slack, databaseDoctorChecks(c.config, ctx.io.env));
      const only = o.only;
      const checks = only ? all.filter((check) => only.includes(doctorGroup(check.name))) : all;
      let ok: boolean;
      if (o.output === 'json') {
        const result = doctorJson(await checkAll(checks));
        ctx.io.out(toJson(result));
        ok = result.ok;
      } else {
        ok = await runDoctor(checks, ctx.io.out);
      }
      if (!ok) throw new CommanderError(1, 'doctor', 'some checks failed');
    });
}
