import { describe, expect, it } from 'vitest';
import {
  escapeMrkdwn,
  formatDurationMs,
  formatUtcTime,
  issueLink,
  mention,
  truncate,
} from '../../src/adapters/slack/formatting.ts';

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [750_000, '12m 30s'],
    [3_600_000, '1h'],
    [3_725_000, '1h 2m'],
    [90_000_000, '1d 1h'],
    [-120_000, '2m'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });

  it('writes times in UTC, with the date only when it is not today', () => {
    const today = new Date('2026-11-24T00:04:10Z');
    expect(formatUtcTime(new Date('2026-11-24T12:04:10Z'), today)).toBe('12:04:10');
    expect(formatUtcTime(new Date('2026-11-23T23:58:00Z'), today)).toBe('Nov 23 23:58:00');
  });

  it('mentions Slack users and shows other actors as written, escaped', () => {
    expect(mention('U0CAPTAIN1')).toBe('<@U0CAPTAIN1>');
    expect(mention('worker')).toBe('worker');
    expect(mention('<!here>')).toBe('&lt;!here&gt;');
    expect(mention(null)).toBe('someone');
  });

  it('links GitHub issues by their short name and other links as they are', () => {
    expect(issueLink('https://github.com/ValueCanvas/ValueCanvas/issues/812')).toBe(
      '<https://github.com/ValueCanvas/ValueCanvas/issues/812|ValueCanvas/ValueCanvas#812>',
    );
    expect(issueLink('https://jira.example/browse/OPS-1')).toBe('<https://jira.example/browse/OPS-1>');
    expect(issueLink('https://x.example/a|b>c')).toBe('<https://x.example/a%7Cb%3Ec>');
  });

  it('escapes the three characters Slack treats as markup', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('truncates with an ellipsis only when needed', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('0123456789abc', 10)).toBe('012345678…');
  });
});
