/**
 * DATABASE_OWNER_URL: the bot's migrations run as a separate owner role, and the runtime role
 * (DATABASE_URL) gets rows only — it may append to the timeline but neither rewrite it nor drop
 * its append-only trigger. doctor says which it is. A real second role on the real Postgres.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { CAPTAIN } from '../support/runbook-config.ts';
import { DATABASE_URL } from '../support/services.ts';

const runtimeRole = `rc_runtime_${randomBytes(4).toString('hex')}`;
let h: Harness;

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

beforeAll(async () => {
  await asAdmin(`create role ${runtimeRole} login`);
  h = await createHarness();
  delete h.env.GITHUB_TOKEN;
  const runtimeUrl = new URL(DATABASE_URL);
  runtimeUrl.username = runtimeRole;
  h.env.DATABASE_OWNER_URL = DATABASE_URL;
  h.env.DATABASE_URL = runtimeUrl.toString();
});

afterAll(async () => {
  await h?.close();
  await asAdmin(`drop owned by ${runtimeRole}`);
  await asAdmin(`drop role if exists ${runtimeRole}`);
});

it('migrates as the owner; the runtime role works, appends, and cannot rewrite or untrigger the timeline', async () => {
  const schema = h.env.DATABASE_SCHEMA!;
  const doctor = await h.cli('doctor');
  expect(doctor.out).toContain(
    `ok    bot timeline: ${schema}.timeline is owned by postgres; ` +
      `the runtime role ${runtimeRole} may only read and append to it`,
  );
  const marked = await h.cli('mark-good', '--as', CAPTAIN);
  expect(marked.code, marked.err).toBe(0);

  const runtime = new pg.Client({ connectionString: h.env.DATABASE_URL, options: `-c search_path=${schema}` });
  await runtime.connect();
  try {
    const attempt = (sql: string) =>
      runtime.query(sql).then(
        () => 'allowed',
        (e: Error) => e.message,
      );
    expect(await attempt('select count(*) from timeline')).toBe('allowed');
    expect(await attempt('select count(*) from known_good')).toBe('allowed');
    const untrigger = await attempt('drop trigger timeline_no_update on timeline');
    expect(untrigger).toMatch(/^must be owner of (table|relation) timeline$/);
    expect(await attempt('delete from timeline')).toBe('permission denied for table timeline');
    expect(await attempt('truncate timeline')).toBe('permission denied for table timeline');
    expect(await attempt('delete from rc_migrations')).toBe('permission denied for table rc_migrations');
  } finally {
    await runtime.end();
  }
});
