/**
 * The database drills on the drill world's own app database: `migration` (scope, plan, two
 * approvals, the down file applied) and `critical-restore` (last night's pg_dump restored into a
 * new database, validated, then promoted: the app's Secret swapped and api/worker restarted).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Drill } from '../../src/drill/drill.ts';
import { DRILL_NAMESPACE } from '../../src/drill/drill-config.ts';
import { actAs, startDrillScenario } from '../../src/drill/play.ts';
import { BASE_MIGRATION } from '../../src/drill/target-db.ts';
import { startTestDrill, untilStep } from '../support/drill.ts';
import { dropTestState, uniqueName } from '../support/services.ts';

let drill: Drill;
const NAME = uniqueName('drill');

beforeAll(async () => {
  drill = await startTestDrill(NAME);
}, 60_000);

afterAll(async () => {
  await drill?.stop();
  await dropTestState(NAME, NAME);
});

it('plays migration: scope, the revert plan, captain and DB owner approve, the down file runs', async () => {
  const { incident } = await startDrillScenario(drill, 'migration');
  const id = incident.id;
  const columns = async () =>
    (
      await drill.world.database.query<{ column_name: string }>(
        "select column_name from information_schema.columns where table_name = 'orgs' order by 1",
      )
    ).map((r) => r.column_name);
  expect(await columns()).toEqual(['id', 'name', 'plan']);
  await untilStep(drill, id, 'select_release', 'awaiting_approval');
  await actAs(drill, 'captain', 'approve', 'select_release');
  const scope = await untilStep(drill, id, 'migration_scope', 'succeeded');
  expect(scope.summary).toContain('20261120093000_add_org_plan');
  await actAs(drill, 'db_owner', 'run', 'migration_revert');
  await untilStep(drill, id, 'migration_revert', 'awaiting_approval');
  await actAs(drill, 'captain', 'approve', 'migration_revert');
  // Two different people: the captain cannot give the database owner's approval too.
  await expect(actAs(drill, 'captain', 'approve', 'migration_revert')).rejects.toThrow(/different person/);
  await actAs(drill, 'db_owner', 'approve', 'migration_revert');
  await untilStep(drill, id, 'migration_revert', 'succeeded');
  expect(await columns()).toEqual(['id', 'name']);
  expect(
    (
      await drill.world.database.query<{ version: string }>(
        'select version from public.schema_migrations order by inserted_at desc limit 1',
      )
    )[0]!.version,
  ).toBe(BASE_MIGRATION);
  await actAs(drill, 'captain', 'abort_incident', null, { reason: 'drill over after the database part' });
  expect((await drill.deps.store.get(id)).incident.state).toBe('aborted');
}, 120_000);

it('plays critical-restore: restore into a new database, validation, promotion', async () => {
  const { incident } = await startDrillScenario(drill, 'critical-restore');
  const id = incident.id;
  expect(incident.critical).toBe(true);
  await actAs(drill, 'db_owner', 'run', 'backup_restore');
  const plan = await untilStep(drill, id, 'backup_restore', 'awaiting_approval');
  expect(plan.summary).toMatch(/drill-\d{8}T\d{6}Z\.dump/);
  await actAs(drill, 'captain', 'approve', 'backup_restore');
  await actAs(drill, 'db_owner', 'approve', 'backup_restore');
  const restored = await untilStep(drill, id, 'backup_restore', 'succeeded', 60_000);
  expect(restored.summary).toContain('public.orgs');
  await actAs(drill, 'db_owner', 'run', 'backup_promote');
  await untilStep(drill, id, 'backup_promote', 'awaiting_approval');
  await actAs(drill, 'captain', 'approve', 'backup_promote');
  await actAs(drill, 'db_owner', 'approve', 'backup_promote');
  await untilStep(drill, id, 'backup_promote', 'succeeded', 60_000);
  const secret = drill.world.kube.secretData(DRILL_NAMESPACE, 'app-db')!;
  expect(secret.DATABASE_URL).toContain(`/${drill.world.restorePrefix}_`);
  expect(secret['DATABASE_URL.previous']).toBe(drill.world.database.url);
  await actAs(drill, 'captain', 'abort_incident', null, { reason: 'drill over after the restore' });
}, 180_000);
