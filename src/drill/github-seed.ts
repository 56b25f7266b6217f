/**
 * The drill repository on the simulated GitHub: a deploy workflow with runs in flight, open PRs
 * with auto-merge, releases v1.2.1..v1.2.3 with what each changed, and (for the migration
 * scenario) a reversible migration shipped in v1.2.3 with its down file.
 */
import type { SimGitHubState } from '../sim/github/server.ts';
import { DRILL_OWNER, DRILL_REPO, MIGRATIONS_PATH } from './drill-config.ts';
import { BASE_MIGRATION, SHIPPED_DOWN, SHIPPED_MIGRATION, SHIPPED_UP } from './target-db.ts';

/** The incident's issue in the drill repository. */
export const DRILL_ISSUE = 77;

const sha = (n: number) => n.toString(16).padStart(40, '0');
const minutesAgo = (now: Date, m: number) =>
  new Date(now.getTime() - m * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface GitHubSeedOptions {
  now: Date;
  /** v1.2.3 shipped a migration (the migration scenario). */
  shippedMigration: boolean;
  /** How long a dispatched smoke run takes. */
  smokeMs: number;
}

export function drillGitHubState(options: GitHubSeedOptions): SimGitHubState {
  const { now } = options;
  const base = `${MIGRATIONS_PATH}/${BASE_MIGRATION}.sql`;
  const up = `${MIGRATIONS_PATH}/${SHIPPED_MIGRATION}.sql`;
  const down = `${MIGRATIONS_PATH}/${SHIPPED_MIGRATION}.down.sql`;
  const baseFiles = {
    [base]: 'create table public.orgs (id serial primary key, name text not null);\n',
    'src/api/orgs.ts': 'export {};\n',
  };
  const badFiles = options.shippedMigration ? { ...baseFiles, [up]: SHIPPED_UP, [down]: SHIPPED_DOWN } : baseFiles;
  const v123 = [
    { sha: sha(0x1203), message: 'Cache org lookups in the API (v1.2.3)', author: 'ada' },
    ...(options.shippedMigration ? [{ sha: sha(0x1204), message: 'Add a plan column to orgs', author: 'grace' }] : []),
  ];
  const v123Files = [
    { filename: 'src/api/orgs.ts', status: 'modified' },
    ...(options.shippedMigration
      ? [
          { filename: up, status: 'added' },
          { filename: down, status: 'added' },
        ]
      : []),
  ];
  return {
    owner: DRILL_OWNER,
    repo: DRILL_REPO,
    workflows: [
      { id: 101, file: 'deploy.yml', state: 'active' },
      { id: 102, file: 'smoke.yml', state: 'active' },
    ],
    runs: [
      {
        id: 7001,
        workflow: 'deploy.yml',
        status: 'completed',
        conclusion: 'success',
        event: 'push',
        headBranch: 'main',
        createdAt: minutesAgo(now, 50),
      },
      // Deploys in flight when the incident opens: pause_deploys cancels them.
      {
        id: 7002,
        workflow: 'deploy.yml',
        status: 'in_progress',
        conclusion: null,
        event: 'push',
        headBranch: 'main',
        createdAt: minutesAgo(now, 4),
      },
      {
        id: 7003,
        workflow: 'deploy.yml',
        status: 'queued',
        conclusion: null,
        event: 'push',
        headBranch: 'main',
        createdAt: minutesAgo(now, 1),
      },
    ],
    pullRequests: [
      { nodeId: 'PR_kwDrill41', number: 41, title: 'Bump the API client', state: 'OPEN', autoMerge: 'SQUASH' },
      { nodeId: 'PR_kwDrill42', number: 42, title: 'Faster org search', state: 'OPEN', autoMerge: 'MERGE' },
      { nodeId: 'PR_kwDrill43', number: 43, title: 'WIP: new billing page', state: 'OPEN', autoMerge: null },
    ],
    tags: { 'v1.2.1': sha(0x1201), 'v1.2.2': sha(0x1202), 'v1.2.3': sha(0x1203) },
    releases: [{ tag: 'v1.2.3' }, { tag: 'v1.2.2' }, { tag: 'v1.2.1' }],
    compares: {
      'v1.2.2...v1.2.3': { commits: v123, files: v123Files },
      'v1.2.1...v1.2.3': {
        commits: [{ sha: sha(0x1202), message: 'Org settings page (v1.2.2)', author: 'linus' }, ...v123],
        files: v123Files,
      },
      // What resuming deploys would ship again: v1.2.3's changes and the fix merged since.
      'v1.2.2...main': {
        commits: [...v123, { sha: sha(0x1205), message: "Fix the org cache key (the incident's fix)", author: 'ada' }],
        files: [{ filename: 'src/api/orgs.ts', status: 'modified' }],
      },
      'v1.2.1...main': { commits: v123, files: v123Files },
    },
    files: { 'v1.2.1': baseFiles, 'v1.2.2': baseFiles, 'v1.2.3': badFiles, main: badFiles },
    issues: [DRILL_ISSUE],
    comments: [],
    dispatch: { conclusion: 'success', durationMs: options.smokeMs },
  };
}
