import { describe, expect, it } from 'vitest';
import { parseRollbackCommand as parse, ROLLBACK_USAGE } from '../../src/adapters/slack/command-parser.ts';

const RULES = { tagPattern: '^v\\d+\\.\\d+\\.\\d+$', githubWebHost: 'github.com' };
const parseRollbackCommand = (text: string) => parse(text, RULES);

describe('/rollback text', () => {
  it.each([
    ['v1.2.3', { badVersion: 'v1.2.3', targetVersion: null, severity: null, issueUrl: null }],
    ['v1.2.3 to v1.2.2', { badVersion: 'v1.2.3', targetVersion: 'v1.2.2', severity: null, issueUrl: null }],
    [
      'v1.2.3 to v1.2.2 sev P1 https://github.com/o/r/issues/42',
      { badVersion: 'v1.2.3', targetVersion: 'v1.2.2', severity: 'P1', issueUrl: 'https://github.com/o/r/issues/42' },
    ],
    ['  v2.0.0   sev p2  ', { badVersion: 'v2.0.0', targetVersion: null, severity: 'P2', issueUrl: null }],
    ['v2.0.0 P1', { badVersion: 'v2.0.0', targetVersion: null, severity: 'P1', issueUrl: null }],
    [
      'v1.2.3 <https://github.com/o/r/issues/42>',
      { badVersion: 'v1.2.3', targetVersion: null, severity: null, issueUrl: 'https://github.com/o/r/issues/42' },
    ],
    [
      'v1.2.3 <https://github.com/o/r/issues/42|o/r#42> sev P2',
      { badVersion: 'v1.2.3', targetVersion: null, severity: 'P2', issueUrl: 'https://github.com/o/r/issues/42' },
    ],
    ['1.2.3 to 1.2.0', { badVersion: 'v1.2.3', targetVersion: 'v1.2.0', severity: null, issueUrl: null }],
  ])('starts a rollback from "%s", naming releases by their tags', (text, expected) => {
    expect(parseRollbackCommand(text)).toEqual({ kind: 'start', ...expected });
  });

  it('answers status and help', () => {
    expect(parseRollbackCommand('status')).toEqual({ kind: 'status' });
    expect(parseRollbackCommand(' STATUS ')).toEqual({ kind: 'status' });
    expect(parseRollbackCommand('help')).toEqual({ kind: 'help', message: ROLLBACK_USAGE });
  });

  it.each([
    ['', 'Tell me which release is bad'],
    ['latest', '`latest` is not a version for the bad release'],
    ['v1.2', '`v1.2` is not a version for the bad release'],
    ['v1.2.3 to', '`to` needs a version after it'],
    ['v1.2.3 to main', '`main` is not a version for the target'],
    ['v1.2.3 to v1.2.3', 'The target is the bad release itself'],
    ['v1.2.3 to v1.3.0', '`v1.3.0` is newer than `v1.2.3`'],
    ['v1.2.3 to v1.2.2-rc.1', '`v1.2.2-rc.1` (a prerelease) is not a release tag here'],
    ['v1.3.0-rc.2', '`v1.3.0-rc.2` (a prerelease) is not a release tag here: tags match `^v\\d+\\.\\d+\\.\\d+$`'],
    ['v1.2.3+build.7', '`v1.2.3+build.7` (a build) is not a release tag here'],
    [
      'v1.2.3 https://jira.example/B-1',
      '`https://jira.example/B-1` is not a link to an issue on github.com: only https://github.com/… links',
    ],
    ['v1.2.3 http://169.254.169.254/latest/meta-data', 'only https://github.com/… links are accepted'],
    ['v1.2.3 http://github.com/o/r/issues/1', 'only https://github.com/… links are accepted'],
    ['v1.2.3 sev', '`sev` needs P1 or P2'],
    ['v1.2.3 sev P3', '`P3` is not a severity'],
    ['v1.2.3 sev P1 P2', 'You gave a severity twice'],
    ['v1.2.3 to v1.2.2 to v1.2.1', 'You gave a target twice'],
    ['v1.2.3 now please', "I don't understand `now`"],
    ['v1.2.3 https://', '`https://` is not a link'],
    ['status now', '`status` is not a version'],
    ['v1.2.3 `rm -rf`', "I don't understand `'rm`"],
  ])('explains what is wrong with "%s" and shows the usage', (text, problem) => {
    const result = parseRollbackCommand(text);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.message).toContain(problem);
    expect(result.message).toContain(ROLLBACK_USAGE);
  });

  it('accepts prereleases when the tag pattern does', () => {
    const rules = { ...RULES, tagPattern: '^v\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?$' };
    expect(parse('v1.3.0-rc.2 to v1.2.9', rules)).toMatchObject({
      kind: 'start',
      badVersion: 'v1.3.0-rc.2',
      targetVersion: 'v1.2.9',
    });
  });

  it('takes issue links on a GitHub Enterprise host, and only there', () => {
    const rules = { ...RULES, githubWebHost: 'ghe.example' };
    expect(parse('v1.2.3 https://ghe.example/o/r/issues/7', rules)).toMatchObject({
      issueUrl: 'https://ghe.example/o/r/issues/7',
    });
    expect(parse('v1.2.3 https://github.com/o/r/issues/7', rules)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('only https://ghe.example/… links'),
    });
  });

  it('quotes what it repeats back cleaned and cut: no NUL, no right-to-left override, at most 200 characters', () => {
    const result = parseRollbackCommand(`v1.2.3 ${'x'.repeat(5001)}\u0000\u202e`);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    const quoted = /I don't understand `([^`]*)`/.exec(result.message)?.[1] ?? '';
    expect(quoted).toBe(`${'x'.repeat(199)}…`);
    expect(
      parseRollbackCommand('v1.2.3 ab\u202ecd\u0000').kind === 'invalid' &&
        parseRollbackCommand('v1.2.3 ab\u202ecd\u0000'),
    ).toMatchObject({ message: expect.stringContaining("I don't understand `abcd`") });
  });
});
