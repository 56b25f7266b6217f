import { describe, expect, it } from 'vitest';
import { parseRollbackCommand, ROLLBACK_USAGE } from '../../src/adapters/slack/command-parser.ts';

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
    ['v1.2.3 <https://github.com/o/r/issues/42>', { badVersion: 'v1.2.3', targetVersion: null, severity: null, issueUrl: 'https://github.com/o/r/issues/42' }],
    ['v1.2.3 <https://jira.example/B-1|B-1> sev P2', { badVersion: 'v1.2.3', targetVersion: null, severity: 'P2', issueUrl: 'https://jira.example/B-1' }],
    ['1.2.3 to 1.2.0', { badVersion: '1.2.3', targetVersion: '1.2.0', severity: null, issueUrl: null }],
    ['v1.3.0-rc.2 to v1.2.9', { badVersion: 'v1.3.0-rc.2', targetVersion: 'v1.2.9', severity: null, issueUrl: null }],
  ])('starts a rollback from "%s", keeping tags as typed', (text, expected) => {
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
    ['v1.2.3 to v1.2.2-rc.1', '`v1.2.2-rc.1` is a prerelease'],
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
});
