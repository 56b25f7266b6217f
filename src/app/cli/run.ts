/**
 * runCli: parses the arguments, opens what the command needs (lazily: each command loads its own
 * modules, so `--help` and `status` start fast) and turns errors into exit codes. The commands
 * are in ./commands/, one file each.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { newErrorId, userFacingText } from '../../domain/errors.ts';
import { mentionsAsText } from '../../domain/user-text.ts';
import { checkIdentity, osIdentity } from '../cli-identity.ts';
import type { Container } from '../container.ts';
import { registerAbort } from './commands/abort.ts';
import { registerApprove } from './commands/approve.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerConfirm } from './commands/confirm.ts';
import { registerCorrectTimes } from './commands/correct-times.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerDrill } from './commands/drill.ts';
import { registerExport } from './commands/export.ts';
import { registerList } from './commands/list.ts';
import { registerMarkCritical } from './commands/mark-critical.ts';
import { registerMarkGood } from './commands/mark-good.ts';
import { registerRun } from './commands/run.ts';
import { registerSkip } from './commands/skip.ts';
import { registerStart } from './commands/start.ts';
import { registerStatus } from './commands/status.ts';
import { registerWorker } from './commands/worker.ts';
import type { CliContext, Reader } from './context.ts';
import type { CliIo } from './io.ts';
import { examples } from './options.ts';

/** From package.json (src/app/cli or dist/app/cli: three levels up either way), so a release never lies about itself. */
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** In `--help` order. */
const COMMANDS = [
  registerStart,
  registerRun,
  registerApprove,
  registerConfirm,
  registerSkip,
  registerAbort,
  registerCorrectTimes,
  registerExport,
  registerMarkCritical,
  registerStatus,
  registerList,
  registerMarkGood,
  registerDoctor,
  registerWorker,
  registerDrill,
  registerCompletion,
];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Only as the first argument: commander's .version() would also take `mark-good --version v1.2.2`.
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.out(VERSION);
    return 0;
  }
  const opened: { close(): Promise<void> }[] = [];
  const origin = (io.osIdentity ?? osIdentity)();
  const program = new Command('rollback-commander')
    .description('Runs the production rollback runbook: the same engine as the Slack bot.')
    .option('-c, --config <file>', 'runbook config (default: $ROLLBACK_CONFIG or rollback.yml)')
    .addHelpText(
      'after',
      `${examples('start v1.2.3 --as U0123', 'status rb-12 -o json', 'doctor --only db,redis')}
\nShell completion: source <(rollback-commander completion bash)   # or zsh
Version: rollback-commander --version (or -V)`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const configPath = () => program.opts<{ config?: string }>().config;

  const ctx: CliContext = {
    io,
    origin,
    configPath,
    open: async ({ deferKubeErrors = false } = {}) => {
      const [{ loadConfig }, { createLogger }, { createSlackServices }, { createSlackAnnouncer }, { createContainer }] =
        await Promise.all([
          import('../config.ts'),
          import('../logger.ts'),
          import('../slack/slack-services.ts'),
          import('../slack/slack-announcer.ts'),
          import('../container.ts'),
        ]);
      const config = loadConfig(io.env, configPath());
      // 'error': the CLI says what a person needs (Redis down, say) itself, once; warn-level JSON lines were noise.
      const log = createLogger(io.env.LOG_LEVEL ?? 'error');
      // With Slack configured, --as is checked against Slack user groups too (config user ids when
      // Slack is unreachable), and a worker started here announces in Slack like the bot's.
      const slack = createSlackServices(config, log);
      let c!: Container;
      c = await createContainer(config, {
        log,
        env: io.env,
        roles: slack?.roles,
        announcer: slack
          ? createSlackAnnouncer({
              slack,
              store: () => c.deps.store,
              config: config.runbook,
              now: () => new Date(),
            })
          : undefined,
        origin,
        redisFailFast: true,
        deferKubeErrors,
      });
      opened.push(c);
      return c;
    },
    read: async () => {
      const [{ loadConfig }, { openBotDatabase }, { createPgIncidentStore }] = await Promise.all([
        import('../config.ts'),
        import('../bot-database.ts'),
        import('../../adapters/db/pg-incident-store.ts'),
      ]);
      const config = loadConfig(io.env, configPath());
      // No pino here (start-up time): a pool error on these short commands is said on stderr.
      const pool = await openBotDatabase(config, {
        error: ({ err }, message) => io.err(`error: ${message}: ${err instanceof Error ? err.message : String(err)}`),
      });
      opened.push({ close: () => pool.end() });
      const store = createPgIncidentStore(pool, config.runbook.environment.name);
      return {
        deps: { store, config: config.runbook, now: () => new Date() },
      } satisfies Reader;
    },
    actor: (c, o, incidentId = null) => checkIdentity(c, io, origin, o.as, incidentId),
  };
  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const text = userFacingText(err);
    if (text !== null) {
      io.err(`error: ${mentionsAsText(text)}`);
      return 1;
    }
    // Not ours to explain: a short line with an error id; the id and the stack go to the log.
    const errorId = newErrorId();
    const { createLogger } = await import('../logger.ts');
    createLogger(io.env.LOG_LEVEL ?? 'error', { write: (line: string) => io.err(line.trimEnd()) }).error(
      { err, errorId },
      'unexpected error in a CLI command',
    );
    io.err(
      `error: something unexpected went wrong (error id ${errorId}); nothing more was done. The log line above has the details.`,
    );
    return 1;
  } finally {
    for (const o of opened) await o.close();
  }
}
