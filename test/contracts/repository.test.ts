/**
 * The repository ports the migration steps and start checks use (MigrationSource, ReleaseTags),
 * run against the GitHub adapter (its REST calls answered by nock from the same files) and the
 * in-memory fake (test/fakes/fake-repository.ts).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { MigrationSource, ReleaseTags } from '../../src/flows/ports.ts';
import {
  blobSha,
  changedFiles,
  createFakeRepository,
  directoryEntries,
  type RepositoryFiles,
} from '../fakes/fake-repository.ts';
import { API, compareBody, OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';

const REFS: RepositoryFiles = {
  'v1.2.2': {
    'supabase/migrations/20261101_init.sql': 'create table users (id int);',
    'src/app.ts': 'export {}',
  },
  'v1.2.3': {
    'supabase/migrations/20261101_init.sql': 'create table users (id int);',
    'supabase/migrations/20261120_add_orgs.sql': 'create table orgs (id int);',
    'supabase/migrations/20261120_add_orgs.down.sql': 'drop table orgs;',
    'src/app.ts': 'export const orgs = true;',
  },
};

/** GitHub's REST answers for REFS, as nock interceptors (persisted for the whole file). */
function serveFromRefs(): void {
  const repo = `/repos/${OWNER}/${REPO}`;
  const api = nock(API).persist().matchHeader('authorization', `token ${TOKEN}`);
  // nock 15 hands the reply function the fetch Request.
  api
    .get(new RegExp(`^${repo}/compare/`))
    .query(true)
    .reply((req: Request) => {
      const basehead = decodeURIComponent(new URL(req.url).pathname.split('/compare/')[1]!);
      const [base, head] = basehead.split('...') as [string, string];
      if (!REFS[base] || !REFS[head]) return [404, { message: 'Not Found' }];
      return [200, compareBody([], 0, changedFiles(REFS, base, head))];
    });
  api
    .get(new RegExp(`^${repo}/contents/`))
    .query(true)
    .reply((req: Request) => {
      const url = new URL(req.url);
      const path = decodeURIComponent(url.pathname.split('/contents/')[1]!);
      const files = REFS[url.searchParams.get('ref') ?? ''];
      if (!files) return [404, { message: 'No commit found for the ref' }];
      const content = files[path];
      if (content !== undefined)
        return [
          200,
          {
            type: 'file',
            path,
            sha: blobSha(content),
            encoding: 'base64',
            content: Buffer.from(content).toString('base64'),
          },
        ];
      const entries = directoryEntries(files, path);
      return entries
        ? [200, entries.map((e) => ({ ...e, name: e.path.split('/').at(-1) }))]
        : [404, { message: 'Not Found' }];
    });
  api.get(new RegExp(`^${repo}/git/ref/tags/`)).reply((req: Request) => {
    const tag = decodeURIComponent(new URL(req.url).pathname.split('/git/ref/tags/')[1]!);
    return REFS[tag]
      ? [200, { ref: `refs/tags/${tag}`, object: { sha: 'a'.repeat(40), type: 'commit' } }]
      : [404, { message: 'Not Found' }];
  });
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  serveFromRefs();
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const implementations: [string, () => MigrationSource & ReleaseTags][] = [
  [
    'GitHub adapter (REST answered by nock)',
    () => createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
  ],
  ['in-memory fake', () => createFakeRepository(REFS)],
];

describe.each(implementations)('repository ports contract: %s', (_name, make) => {
  it('lists the files changed between two refs with their status', async () => {
    const repo = make();
    expect((await repo.compare('v1.2.2', 'v1.2.3')).files).toEqual([
      { filename: 'src/app.ts', status: 'modified' },
      { filename: 'supabase/migrations/20261120_add_orgs.down.sql', status: 'added' },
      { filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' },
    ]);
  });

  it('reads a file at a ref, and null where it does not exist', async () => {
    const repo = make();
    expect(await repo.getFileContent('supabase/migrations/20261120_add_orgs.down.sql', 'v1.2.3')).toBe(
      'drop table orgs;',
    );
    expect(await repo.getFileContent('supabase/migrations/20261120_add_orgs.down.sql', 'v1.2.2')).toBeNull();
  });

  it('lists a directory at a ref, and null for one that does not exist there', async () => {
    const repo = make();
    expect((await repo.listDirectory('supabase/migrations', 'v1.2.3'))?.map((e) => [e.path, e.type])).toEqual([
      ['supabase/migrations/20261101_init.sql', 'file'],
      ['supabase/migrations/20261120_add_orgs.down.sql', 'file'],
      ['supabase/migrations/20261120_add_orgs.sql', 'file'],
    ]);
    expect(await repo.listDirectory('db/migrations', 'v1.2.3')).toBeNull();
  });

  it('knows which tags exist, exactly', async () => {
    const repo = make();
    expect(await repo.tagExists('v1.2.3')).toBe(true);
    expect(await repo.tagExists('v1.2')).toBe(false);
  });

  it('says a compare with an unknown ref is not_found', async () => {
    const repo = make();
    const err = await repo.compare('v1.2.2', 'v9.9.9').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('not_found');
    expect((err as AppError).message).toContain('v9.9.9 is not a tag, branch or commit');
  });
});
