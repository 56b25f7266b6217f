/**
 * A release that changed more files than GitHub's compare lists (300, never paged): its migrations
 * come from the migrations directory at both tags, and a listing that may be cut short fails loudly.
 * GitHub through nock with the real adapter, the app database on the real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { determineMigrationScope } from '../../src/flows/steps/migration_scope/migration-scope.ts';
import { commitBody, compareBody, OWNER, REPO } from '../fixtures/github/github-api.ts';
import { useNockedGitHub } from '../fixtures/github/nock-github.ts';
import { type AppDatabase, createAppDatabase } from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const config = databaseConfigSchema.parse({ migrations: { path: 'db/migrations' } });
const gh = useNockedGitHub();
let db: AppDatabase;

beforeAll(async () => {
  db = await createAppDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** 150 commits over two pages; the first page carries the only file list GitHub gives: 300 app files. */
function compareOfABigRelease(): void {
  const commits = Array.from({ length: 150 }, (_, i) => commitBody(i + 1));
  const files = Array.from({ length: 300 }, (_, i) => ({ filename: `src/generated/file-${i}.ts`, status: 'modified' }));
  const compare = `${REPO_PATH}/compare/v1.2.2...v1.2.3`;
  gh.api
    .get(compare)
    .query({ per_page: 100, page: 1 })
    .reply(200, compareBody(commits.slice(0, 100), 150, files));
  gh.api
    .get(compare)
    .query({ per_page: 100, page: 2 })
    .reply(200, compareBody(commits.slice(100), 150));
}

function entry(name: string, sha = `${name}-sha`) {
  return { type: 'file', name, path: `db/migrations/${name}`, sha };
}

function listing(ref: string, entries: ReturnType<typeof entry>[]): void {
  gh.api.get(`${REPO_PATH}/contents/db/migrations`).query({ ref }).reply(200, entries);
}

const versions = { badVersion: 'v1.2.3', targetVersion: 'v1.2.2' };
const scope = () =>
  determineMigrationScope({ ...REAL_PORTS, source: gh.github, targetDatabaseUrl: db.url, config, ...versions });

describe('migration scope of a release bigger than the compare API lists', () => {
  it('finds the migration the compare left out by listing the migrations directory at both tags', async () => {
    compareOfABigRelease();
    const before = [entry('20261101_init.sql'), entry('20261110_add_projects.sql')];
    listing('v1.2.2', before);
    listing('v1.2.3', [...before, entry('20261120_add_orgs.sql'), entry('20261120_add_orgs.down.sql')]);

    const result = await scope();
    expect(result.rollbackNeeded).toBe(true);
    const orgs = { version: '20261120_add_orgs', previousVersion: '20261110_add_projects' };
    expect(result.toRevert).toEqual([expect.objectContaining(orgs)]);
    expect(result.notes).toEqual([]);
  });

  it('notes an edited old migration (same name, another blob)', async () => {
    compareOfABigRelease();
    listing('v1.2.2', [entry('20261101_init.sql'), entry('20261110_add_projects.sql')]);
    const edited = entry('20261101_init.sql', 'edited-sha');
    listing('v1.2.3', [edited, entry('20261110_add_projects.sql'), entry('20261120_add_orgs.sql')]);
    const result = await scope();
    expect(result.notes).toEqual([
      'v1.2.3 changed the existing migration db/migrations/20261101_init.sql: ' +
        'the database is not reverted for that — check it by hand',
    ]);
  });

  it('fails loudly when a listing is as long as GitHub returns, instead of reporting no rollback', async () => {
    compareOfABigRelease();
    const many = Array.from({ length: 1000 }, (_, i) => entry(`2025${String(i).padStart(6, '0')}_m.sql`));
    listing('v1.2.2', many);
    listing('v1.2.3', [entry('20261120_add_orgs.sql')]);
    const err = await scope().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('db/migrations at v1.2.2 lists 1000 entries');
    expect((err as Error).message).toContain('the list of migrations may be incomplete');
  });
});
