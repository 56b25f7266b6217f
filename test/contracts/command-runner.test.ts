/**
 * The CommandRunner contract (flows/ports/commands.ts), run against the real child-process runner
 * and the in-memory fake (test/fakes/fake-command-runner.ts): the same cases, the same answers.
 */
import { describe, expect, it } from 'vitest';
import { createChildProcessRunner } from '../../src/adapters/process/child-process-runner.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import type { CommandRunner, OutputLine } from '../../src/flows/ports.ts';
import { createFakeCommandRunner, type FakeProgram } from '../fakes/fake-command-runner.ts';

interface Harness {
  runner: CommandRunner;
  /** argv of a program that prints `output` (stdout lines in order), then exits or hangs. */
  program(p: FakeProgram): string[];
  missing(): string[];
}

function nodeScript(p: FakeProgram): string[] {
  const writes = (p.output ?? []).map((o) => `process.${o.stream}.write(${JSON.stringify(`${o.line}\n`)});`).join('');
  const end = p.hang ? 'setInterval(() => {}, 1000);' : `process.exitCode = ${p.exitStatus ?? 0};`;
  return [process.execPath, '-e', writes + end];
}

const implementations: [string, () => Harness][] = [
  [
    'child process (real)',
    () => ({
      runner: createChildProcessRunner(),
      program: nodeScript,
      missing: () => ['/nonexistent/rc-no-such-program'],
    }),
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeCommandRunner();
      let n = 0;
      return {
        runner: fake,
        program: (p) => [fake.define(`program-${n++}`, p), '--flag'],
        missing: () => ['rc-no-such-program'],
      };
    },
  ],
];

const WHAT = 'the test command (test.command)';
const stdout = (line: string): OutputLine => ({ stream: 'stdout', line });

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(implementations)('CommandRunner contract: %s', (_name, make) => {
  it('streams each output line in order and returns the last lines', async () => {
    const h = make();
    const seen: OutputLine[] = [];
    const result = await h.runner.run({
      argv: h.program({ output: [stdout('one'), stdout('two'), stdout('three')] }),
      timeoutMs: 10_000,
      what: WHAT,
      onOutput: (l) => seen.push(l),
    });
    expect(seen).toEqual([stdout('one'), stdout('two'), stdout('three')]);
    expect(result.tail).toEqual(['one', 'two', 'three']);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('rejects a non-zero exit with what it was, the status and the last output', async () => {
    const h = make();
    const err = await failure(
      h.runner.run({
        argv: h.program({ output: [stdout('relation "orgs" does not exist')], exitStatus: 3 }),
        timeoutMs: 10_000,
        what: WHAT,
      }),
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('upstream_error');
    expect(err.message).toContain(`${WHAT} exited with status 3`);
    expect(err.message).toContain('last output:\nrelation "orgs" does not exist');
  });

  it('never lets a secret or a URL password through, in output or in the error', async () => {
    const h = make();
    const seen: string[] = [];
    const secret = 's3cr3t-token-value';
    const err = await failure(
      h.runner.run({
        argv: h.program({
          output: [stdout(`token=${secret}`), stdout('url postgres://app:hunter22@db:5432/app')],
          exitStatus: 1,
        }),
        timeoutMs: 10_000,
        secrets: [secret],
        what: WHAT,
        onOutput: (l) => seen.push(l.line),
      }),
    );
    expect(seen).toEqual(['token=[redacted]', 'url postgres://app:[redacted]@db:5432/app']);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('hunter22');
  });

  it('stops a command that outlives its timeout and says so', async () => {
    const h = make();
    const err = await failure(
      h.runner.run({ argv: h.program({ hang: true }), timeoutMs: 300, killGraceMs: 200, what: WHAT }),
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${WHAT} did not finish within 0 s and was stopped`);
  });

  it('stops a running command when the step is aborted, and starts none once it is', async () => {
    const h = make();
    const controller = new AbortController();
    const running = h.runner.run({
      argv: h.program({ output: [stdout('started')], hang: true }),
      timeoutMs: 60_000,
      killGraceMs: 200,
      what: WHAT,
      signal: controller.signal,
      // The positive signal that the command runs: abort only once it has printed.
      onOutput: () => controller.abort(),
    });
    const err = await failure(running);
    expect(err.code).toBe('aborted');
    expect(err.message).toContain(`${WHAT} was stopped because the step was aborted`);
    const late = await failure(
      h.runner.run({ argv: h.program({}), timeoutMs: 10_000, what: WHAT, signal: controller.signal }),
    );
    expect(late.code).toBe('aborted');
    expect(late.message).toContain('was not started');
  });

  it('names a program that is not installed', async () => {
    const h = make();
    const err = await failure(h.runner.run({ argv: h.missing(), timeoutMs: 10_000, what: WHAT }));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('config_invalid');
    expect(err.message).toContain('was not found on PATH');
  });
});
