import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups, parseBackupTimestamp } from '../../src/adapters/backups/list-backups.ts';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { proposeBackupRestore } from '../../src/flows/steps/backup_restore/backup-restore.ts';
import { dataLossWindow, proposeBackup } from '../../src/flows/steps/backup_restore/propose-backup.ts';
import { REAL_PORTS } from '../support/database-ports.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-backups-'));
  await writeFile(join(dir, 'prod-20261124T031500Z.dump'), Buffer.alloc(2048));
  await writeFile(join(dir, 'prod-2026-11-23T03-15-00Z.dump'), Buffer.alloc(1024));
  await writeFile(join(dir, 'prod-20261122T031500Z.dump'), Buffer.alloc(10));
  await writeFile(join(dir, 'prod-20261131T031500Z.dump'), 'not a real date');
  await writeFile(join(dir, 'staging-20261124T031500Z.dump'), 'other pattern');
  await writeFile(join(dir, 'prod-20261124T031500Z.dump.tmp'), 'partial upload');
  await mkdir(join(dir, 'prod-20261125T000000Z.dump'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('backup listing', () => {
  it('lists files matching the pattern newest first, with the time from the name and the size', async () => {
    const { backups, ignored } = await listBackups(dir, 'prod-{timestamp}.dump');
    expect(backups.map((b) => [b.name, b.takenAt.toISOString(), b.sizeBytes])).toEqual([
      ['prod-20261124T031500Z.dump', '2026-11-24T03:15:00.000Z', 2048],
      ['prod-2026-11-23T03-15-00Z.dump', '2026-11-23T03:15:00.000Z', 1024],
      ['prod-20261122T031500Z.dump', '2026-11-22T03:15:00.000Z', 10],
    ]);
    expect(ignored).toEqual([
      { name: 'prod-20261131T031500Z.dump', reason: expect.stringContaining('is not a timestamp') },
    ]);
  });

  it('reads the supported timestamp forms as UTC', () => {
    for (const text of ['20261124T031500Z', '2026-11-24T03-15-00Z', '2026-11-24T03:15:00Z', '20261124031500']) {
      expect(parseBackupTimestamp(text)?.toISOString()).toBe('2026-11-24T03:15:00.000Z');
    }
    expect(parseBackupTimestamp('2026-13-01T00-00-00Z')).toBeNull();
  });

  it('proposes the newest backup taken before the first bad request, with the data-loss window', async () => {
    const config = databaseConfigSchema.parse({ backups: { directory: dir } });
    const proposal = await proposeBackupRestore({
      ...REAL_PORTS,
      config,
      firstBadRequestAt: new Date('2026-11-24T01:00:00Z'),
      now: new Date('2026-11-24T05:03:00Z'),
    });
    expect(proposal.backup?.name).toBe('prod-2026-11-23T03-15-00Z.dump');
    expect(proposal.reason).toBe(
      'prod-2026-11-23T03-15-00Z.dump (taken 2026-11-23T03:15:00.000Z, 1.0 KB) is the newest backup taken before the first bad request at 2026-11-24T01:00:00.000Z',
    );
    expect(proposal.dataLoss).toMatchObject({ ms: (25 * 60 + 48) * 60_000 });
    expect(proposal.dataLoss?.text).toBe(
      'writes from 2026-11-23T03:15:00.000Z to 2026-11-24T05:03:00.000Z (1 d 1 h) are not in this backup and would be lost if it is promoted',
    );
  });

  it('proposes nothing, and says why, when every backup is newer than the first bad request', async () => {
    const { backups } = await listBackups(dir, 'prod-{timestamp}.dump');
    const proposal = proposeBackup(backups, new Date('2026-11-01T00:00:00Z'));
    expect(proposal.backup).toBeNull();
    expect(proposal.reason).toContain('every backup was taken after the first bad request');
    expect(dataLossWindow(backups[0]!, new Date('2026-11-24T03:45:30Z')).text).toContain('(30 min)');
  });

  it('fails with what to do when the backup directory is missing', async () => {
    const err = await listBackups(join(dir, 'nope'), 'prod-{timestamp}.dump').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toBe(
      `cannot read the backup directory ${join(dir, 'nope')} (ENOENT): mount the backup volume there, give the bot read access, or fix database.backups.directory`,
    );
  });
});
