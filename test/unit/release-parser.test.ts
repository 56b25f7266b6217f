/**
 * One parser decides what a release is (domain/versions.ts parseRelease): whatever `/rollback`
 * pre-fills in the modal, the modal and the start flow (which the CLI calls) take as it is, and
 * whatever one refuses, all refuse with the same words.
 */
import { describe, expect, it } from 'vitest';
import { ROLLBACK_FIELDS as F } from '../../src/adapters/slack/action-ids.ts';
import { parseRollbackCommand } from '../../src/adapters/slack/command-parser.ts';
import { parseRollbackSubmission } from '../../src/adapters/slack/rollback-submission.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { validateStart } from '../../src/flows/start-rollback.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const DEFAULT_PATTERN = '^v\\d+\\.\\d+\\.\\d+$';

function surfaces(tagPattern: string, input: string) {
  const rules = { tagPattern, githubWebHost: 'github.com' };
  const command = parseRollbackCommand(input, rules);
  const modal = (value: string) =>
    parseRollbackSubmission(
      {
        [F.badVersion]: { [F.badVersion]: { value } },
        [F.severity]: { [F.severity]: { selected_option: { value: 'P1' } } },
        [F.trigger]: { [F.trigger]: { selected_option: { value: 'slo_breach' } } },
        [F.detectedAt]: { [F.detectedAt]: { selected_date_time: NOW.getTime() / 1000 } },
      },
      { now: NOW, ...rules },
    );
  const deps = {
    config: { github: { tag_pattern: tagPattern } },
    now: () => NOW,
    githubWebHost: 'github.com',
  } as unknown as FlowDeps;
  const cli = (value: string) => {
    try {
      return {
        ok: true as const,
        tag: validateStart(deps, { badVersion: value, severity: 'P1', trigger: 'slo_breach', actor: 'U0SRE0001' })
          .badVersion,
      };
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      return { ok: false as const, problem: err.message };
    }
  };
  return { command, modal, cli };
}

describe('what a release is', () => {
  it.each([
    [DEFAULT_PATTERN, 'v1.2.3', 'v1.2.3'],
    [DEFAULT_PATTERN, '1.2.3', 'v1.2.3'],
    ['^\\d+\\.\\d+\\.\\d+$', '1.2.3', '1.2.3'],
    ['^v\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?$', 'v1.2.3-rc.1', 'v1.2.3-rc.1'],
    ['^v\\d+\\.\\d+\\.\\d+(\\+build\\.\\d+)?$', 'v1.2.3+build.7', 'v1.2.3+build.7'],
  ])('with tag_pattern %s, `%s` is the release %s on every surface', (pattern, input, tag) => {
    const { command, modal, cli } = surfaces(pattern, input);
    expect(command).toMatchObject({ kind: 'start', badVersion: tag });
    // The modal opens pre-filled with what the command understood, and takes it as it is.
    const submitted = modal(command.kind === 'start' ? command.badVersion : '');
    expect(submitted.ok && submitted.value.badVersion).toBe(tag);
    expect(modal(input)).toMatchObject({ ok: true, value: { badVersion: tag } });
    expect(cli(input)).toEqual({ ok: true, tag });
  });

  it.each(['v1.2.3-rc.1', 'v1.2.3+build.7', 'latest', '1.2'])(
    'with the default pattern, `%s` is refused alike by the command, the modal and the CLI',
    (input) => {
      const { command, modal, cli } = surfaces(DEFAULT_PATTERN, input);
      const refusedByCli = cli(input);
      expect(refusedByCli.ok).toBe(false);
      const problem = refusedByCli.ok ? '' : refusedByCli.problem;
      expect(command.kind).toBe('invalid');
      expect(command.kind === 'invalid' && command.message).toContain(problem);
      const submitted = modal(input);
      expect(!submitted.ok && submitted.response.errors[F.badVersion]).toBe(problem);
    },
  );
});
