/**
 * The RoleDirectory contract (flows/ports.ts), run against the roles in rollback.yml, Slack user
 * groups (the Slack resolver, its Web API answered by nock) and the in-memory fake.
 */
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { createRoleResolver, type RoleMembersConfig } from '../../src/adapters/slack/role-resolver.ts';
import { createSlackWebClient } from '../../src/adapters/slack/slack-web-client.ts';
import type { Role } from '../../src/domain/steps.ts';
import type { RoleDirectory } from '../../src/flows/ports.ts';
import { createFakeRoleDirectory } from '../fakes/fake-role-directory.ts';

const ORIGIN = 'https://slack-contract.test';
/** Everyone the cases need: the captain also owns the database; the SRE has one role. */
const GRANTS: [Role, string][] = [
  ['release_captain', 'U0CAPTAIN1'],
  ['database_owner', 'U0CAPTAIN1'],
  ['oncall_sre', 'U0SRE00001'],
  ['database_owner', 'U0DBA00001'],
];

const byRole = (): Record<Role, string[]> => {
  const out: Record<Role, string[]> = { release_captain: [], oncall_sre: [], database_owner: [] };
  for (const [role, user] of GRANTS) out[role].push(user);
  return out;
};

beforeAll(() => {
  nock.disableNetConnect();
  // Each role's members come from a user group of its own.
  for (const [role, users] of Object.entries(byRole())) {
    nock(ORIGIN)
      .persist()
      .post('/api/usergroups.users.list', (body) => body.usergroup === `S_${role}`)
      .reply(200, { ok: true, users });
  }
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const implementations: [string, () => RoleDirectory][] = [
  [
    'rollback.yml user ids',
    () => {
      const members = byRole();
      const roles = {
        release_captain: { users: members.release_captain, usergroups: [] },
        oncall_sre: { users: members.oncall_sre, usergroups: [] },
        database_owner: { users: members.database_owner, usergroups: [] },
      };
      return createConfigRoleDirectory(roles);
    },
  ],
  [
    'Slack user groups (Web API answered by nock)',
    () => {
      const group = (role: Role): RoleMembersConfig => ({ users: [], usergroups: [`S_${role}`] });
      const roles: Record<Role, RoleMembersConfig> = {
        release_captain: group('release_captain'),
        oncall_sre: group('oncall_sre'),
        database_owner: group('database_owner'),
      };
      const client = createSlackWebClient({
        token: 'xoxb-test',
        slackApiUrl: `${ORIGIN}/api/`,
        retryConfig: { retries: 0 },
        logger: pino({ level: 'silent' }),
      });
      return createRoleResolver({ client, roles, cacheMs: 60_000, lookupTimeoutMs: 10_000 });
    },
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeRoleDirectory();
      for (const [role, user] of GRANTS) fake.grant(role, user);
      return fake;
    },
  ],
];

describe.each(implementations)('RoleDirectory contract: %s', (_name, make) => {
  it('gives each person every role they hold, and none to a stranger', async () => {
    const roles = make();
    expect((await roles.rolesOf('U0CAPTAIN1')).sort()).toEqual(['database_owner', 'release_captain']);
    expect(await roles.rolesOf('U0SRE00001')).toEqual(['oncall_sre']);
    expect(await roles.rolesOf('U0NOBODY01')).toEqual([]);
  });

  it("lists a role's members", async () => {
    const roles = make();
    expect((await roles.membersOf('database_owner')).sort()).toEqual(['U0CAPTAIN1', 'U0DBA00001']);
    expect(await roles.membersOf('oncall_sre')).toEqual(['U0SRE00001']);
  });
});
