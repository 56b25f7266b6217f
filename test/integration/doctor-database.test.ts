/** doctor's database checks: the app database and its migrations table, the backups, the restore server. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppDatabase, createAppDatabase } from '../fixtures/migrations/app-database.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';

let h: Harness;
let app: AppDatabase;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-doctor-'));
  app = await createAppDatabase({ seed: true });
  h = await createHarness({ configOverrides: `database:\n  backups: { directory: ${dir} }\n` });
  delete h.env.GITHUB_TOKEN;
  h.env.TARGET_DATABASE_URL = app.url;
});
afterAll(async () => {
  await h?.close();
  await app?.drop();
});

it('checks the app database, the backups and the restore server, and says what is missing', async () => {
  const empty = await h.cli('doctor');
  expect(empty.out).toContain(
    'ok    app database: head migration 20261120_add_orgs; may delete from public.schema_migrations',
  );
  expect(empty.out).toContain(`FAIL  backups: no backup matching prod-{timestamp}.dump in ${dir}`);
  expect(empty.out).toContain('ok    restore server: reachable; may create databases');

  await writeFile(join(dir, 'prod-20261124T031500Z.dump'), 'not read by doctor');
  expect((await h.cli('doctor')).out).toContain(
    `ok    backups: 1 backups in ${dir}, newest prod-20261124T031500Z.dump`,
  );

  delete h.env.TARGET_DATABASE_URL;
  expect((await h.cli('doctor')).out).toContain('FAIL  app database: TARGET_DATABASE_URL is not set');
});
