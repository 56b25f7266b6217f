import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/adapters/process/run-command.ts';
import { renderArgv } from '../../src/domain/argv-template.ts';
import { childEnv } from '../../src/domain/child-env.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import type { OutputLine } from '../../src/flows/ports.ts';
import { until } from '../support/wait.ts';

const node = (script: string) => ['node', '-e', script];

/** Alive and not a zombie waiting for a reaper (ps state Z). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('runCommand', () => {
  it('streams stdout and stderr lines and succeeds on exit 0', async () => {
    const lines: OutputLine[] = [];
    const result = await runCommand({
      argv: node('console.log("one\\ntwo"); console.error("warn"); process.stdout.write("partial")'),
      timeoutMs: 10_000,
      what: 'the test command',
      onOutput: (l) => lines.push(l),
    });
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['one', 'two', 'partial']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['warn']);
    expect(result.tail).toContain('partial');
  });

  it('fails on a non-zero exit with the status and the last output', async () => {
    const err = await failure(
      runCommand({
        argv: node('console.error("migration 42 failed"); process.exit(3)'),
        timeoutMs: 10_000,
        what: 'the revert command',
      }),
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.message).toMatch(
      /^the revert command exited with status 3: `node -e .*`\nlast output:\nmigration 42 failed$/,
    );
  });

  it('kills a command that outlives its timeout and says so', async () => {
    const err = await failure(
      runCommand({
        argv: node('console.log("started"); setInterval(() => {}, 1000)'),
        timeoutMs: 500,
        killGraceMs: 200,
        what: 'the revert command',
      }),
    );
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('the revert command did not finish within 1 s and was stopped');
    expect(err.message).toContain('started');
  });

  it('stops the command when the step is aborted', async () => {
    const controller = new AbortController();
    const run = runCommand({
      argv: node('console.log("ready"); setInterval(() => {}, 1000)'),
      timeoutMs: 10_000,
      what: 'the revert command',
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    expect((await failure(run)).code).toBe('aborted');
  });

  it('redacts secrets and URL passwords from output lines and errors', async () => {
    const secret = 'Tr0ub4dor&3';
    const lines: string[] = [];
    const err = await failure(
      runCommand({
        argv: node(
          'console.log("using " + process.env.DB_TOKEN); console.log("url postgres://app:" + process.env.DB_TOKEN + "@db/prod"); process.exit(1)',
        ),
        env: { DB_TOKEN: secret },
        secrets: [secret],
        timeoutMs: 10_000,
        what: 'the revert command',
        onOutput: (l) => lines.push(l.line),
      }),
    );
    expect(lines).toEqual(['using [redacted]', 'url postgres://app:[redacted]@db/prod']);
    expect(err.message).not.toContain(secret);
  });

  it('gives the child PATH and only the variables it is given — never the bot’s own tokens', async () => {
    process.env.SLACK_BOT_TOKEN ??= 'xoxb-nokid';
    const lines: string[] = [];
    await runCommand({
      argv: node('console.log(Object.keys(process.env).sort().join(","))'),
      env: childEnv(
        ['REVERT_MODE'],
        { REVERT_MODE: 'safe', SLACK_BOT_TOKEN: 'xoxb-no' },
        'database.revert_command.env',
      ),
      timeoutMs: 10_000,
      what: 'env probe',
      onOutput: (l) => lines.push(l.line),
    });
    expect(lines).toEqual(['PATH,REVERT_MODE']);
  });

  it('names a variable the config passes but the bot does not have', () => {
    expect(() => childEnv(['SUPABASE_ACCESS_TOKEN'], {}, 'database.revert_command.env')).toThrow(
      'database.revert_command.env passes SUPABASE_ACCESS_TOKEN to the command, but SUPABASE_ACCESS_TOKEN is not set',
    );
  });

  it('ends the command and its children when the bot process is SIGKILLed mid-run', async () => {
    const script = 'sleep 300 & echo "grandchild $!"; echo "command $$"; wait';
    const fixture = join(import.meta.dirname, '../fixtures/process/run-command-in-child.ts');
    const parent = spawn('node', [fixture, JSON.stringify(['sh', '-c', script])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const pids = await until('the command to print its pids', () => {
      const command = /command (\d+)/.exec(output)?.[1];
      const grandchild = /grandchild (\d+)/.exec(output)?.[1];
      return command && grandchild ? [Number(command), Number(grandchild)] : null;
    });
    expect(pids.every(isRunning)).toBe(true);
    parent.kill('SIGKILL');
    await until('the command and its child to die with the parent', () => !pids.some(isRunning), 10_000);
  });

  it('says which program is missing instead of a bare ENOENT', async () => {
    const err = await failure(
      runCommand({ argv: ['no-such-migration-tool', 'rollback'], timeoutMs: 10_000, what: 'the revert command' }),
    );
    expect(err.message).toBe(
      'the revert command: no-such-migration-tool was not found on PATH — install it in the image or fix the command',
    );
  });
});

describe('renderArgv', () => {
  const key = 'database.revert_command.argv';

  it('substitutes checked values into argv elements, with no shell to interpret them', () => {
    expect(
      renderArgv(
        ['dbmate', 'rollback', '--to={previous_version}', '{version}'],
        { version: '20261120_add_orgs', previous_version: 'v1.2.2' },
        key,
      ),
    ).toEqual(['dbmate', 'rollback', '--to=v1.2.2', '20261120_add_orgs']);
  });

  it.each([['20261120; rm -rf /'], ['$(curl evil)'], ['--config=/etc/passwd'], ['../../etc'], ['a b'], ['']])(
    'refuses the value %j',
    (value) => {
      expect(() => renderArgv(['tool', '{version}'], { version: value }, key)).toThrow(
        /refusing to run database.revert_command.argv: \{version\} would be/,
      );
    },
  );

  it('refuses unknown placeholders and missing values with the key to fix', () => {
    expect(() => renderArgv(['tool', '{verison}'], { version: '1' }, key)).toThrow(
      'database.revert_command.argv uses {verison}, which is not a known placeholder: use {version}',
    );
    expect(() => renderArgv(['tool', '{previous_version}'], { previous_version: null }, key)).toThrow(
      'needs {previous_version}, but there is no value for it here',
    );
  });
});
