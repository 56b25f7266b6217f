import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRoleResolver, type RoleMembersConfig } from '../../src/adapters/slack/role-resolver.ts';
import { createSlackWebClient } from '../../src/adapters/slack/slack-web-client.ts';
import type { Role } from '../../src/domain/steps.ts';
import type { RoleDirectory } from '../../src/flows/ports.ts';

const ORIGIN = 'https://slack.test';
const CAPTAINS_GROUP = 'S0CAPTAINS';
const DBA_GROUP = 'S0DBAS0001';

const ROLES: Record<Role, RoleMembersConfig> = {
  release_captain: { users: ['U0CAPTAIN1'], usergroups: [CAPTAINS_GROUP] },
  oncall_sre: { users: ['U0SRE00001'], usergroups: [] },
  database_owner: { users: [], usergroups: [DBA_GROUP] },
};

function groupReply(group: string, users: string[]) {
  return nock(ORIGIN)
    .post('/api/usergroups.users.list', (body) => body.usergroup === group)
    .reply(200, { ok: true, users });
}

function setup(options: { lookupTimeoutMs?: number } = {}) {
  let clock = 1_000_000;
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
  const client = createSlackWebClient({
    token: 'xoxb-test',
    slackApiUrl: `${ORIGIN}/api/`,
    retryConfig: { retries: 0 },
    logger: pino({ level: 'silent' }),
  });
  const resolver = createRoleResolver({
    client,
    roles: ROLES,
    cacheMs: 5 * 60_000,
    now: () => clock,
    logger,
    ...options,
  });
  return { resolver, warnings, advance: (ms: number) => void (clock += ms) };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('createRoleResolver', () => {
  it('gives roles from configured user ids and from user group membership; one person may hold several', async () => {
    groupReply(CAPTAINS_GROUP, ['U0DEPUTY01', 'U0DBA00001']);
    groupReply(DBA_GROUP, ['U0DBA00001']);
    const { resolver } = setup();
    expect(await resolver.rolesOf('U0CAPTAIN1')).toEqual(['release_captain']);
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual(['release_captain']);
    expect(await resolver.rolesOf('U0DBA00001')).toEqual(['release_captain', 'database_owner']);
    expect(await resolver.rolesOf('U0SRE00001')).toEqual(['oncall_sre']);
    expect(await resolver.rolesOf('U0STRANGER')).toEqual([]);
    const directory: RoleDirectory = resolver; // what the flows are given
    expect(await directory.membersOf('database_owner')).toEqual(['U0DBA00001']);
    expect(await resolver.members()).toEqual({
      release_captain: ['U0CAPTAIN1', 'U0DEPUTY01', 'U0DBA00001'],
      oncall_sre: ['U0SRE00001'],
      database_owner: ['U0DBA00001'],
    });
  });

  it('caches group membership until it expires, then sees who joined or left', async () => {
    const first = groupReply(CAPTAINS_GROUP, ['U0DEPUTY01']);
    groupReply(DBA_GROUP, []);
    const { resolver, advance } = setup();
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual(['release_captain']);
    expect(first.isDone()).toBe(true);

    // Within the cache time Slack is not asked again (there is no interceptor left to answer).
    advance(4 * 60_000);
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual(['release_captain']);
    expect(await resolver.rolesOf('U0NEWCAPT1')).toEqual([]);

    // Expired: the deputy left the group and someone else joined.
    const second = groupReply(CAPTAINS_GROUP, ['U0NEWCAPT1']);
    groupReply(DBA_GROUP, []);
    advance(2 * 60_000);
    expect(await resolver.rolesOf('U0NEWCAPT1')).toEqual(['release_captain']);
    expect(second.isDone()).toBe(true);
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual([]);
  });

  it('asks Slack once for a burst of concurrent clicks (usergroups.users.list is rate-limited)', async () => {
    const scope = groupReply(CAPTAINS_GROUP, ['U0DEPUTY01']);
    groupReply(DBA_GROUP, []);
    const { resolver } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => resolver.rolesOf('U0DEPUTY01')));
    expect(results.every((r) => r.length === 1 && r[0] === 'release_captain')).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it('falls back to the configured user ids when Slack is unreachable, and logs it', async () => {
    nock(ORIGIN).post('/api/usergroups.users.list').times(2).replyWithError('connect ECONNREFUSED');
    const { resolver, warnings } = setup();
    expect(await resolver.rolesOf('U0CAPTAIN1')).toEqual(['release_captain']);
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual([]);
    expect(warnings).toContain('user group unavailable: using only the user ids in rollback.yml for its role');
  });

  it('does not hold up a click on a slow Slack: answers from config, then uses the answer once it lands', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    nock(ORIGIN)
      .post('/api/usergroups.users.list')
      .times(2)
      .reply(200, async () => {
        await gate;
        return { ok: true, users: ['U0DEPUTY01'] };
      });
    const { resolver, warnings } = setup({ lookupTimeoutMs: 50 });
    expect(await resolver.rolesOf('U0DEPUTY01')).toEqual([]);
    expect(warnings).toContain('user group look-up is slow: using only the user ids in rollback.yml for now');
    release();
    await vi.waitFor(async () =>
      expect(await resolver.rolesOf('U0DEPUTY01')).toEqual(['release_captain', 'database_owner']),
    );
  });
});
