/**
 * The backups on the configured volume (the runbook's `/backups/prod-<timestamp>.dump`): files
 * whose name matches the pattern, with the timestamp parsed from the name (UTC) and the size.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserFacingError } from '../../domain/errors.ts';
import type { BackupFile, BackupListing } from '../../flows/ports/database.ts';

// 20261124T031500Z, 2026-11-24T03-15-00Z, 2026-11-24T03:15:00Z, 20261124031500, 2026-11-24_03-15-00
const TIMESTAMP = /^(\d{4})-?(\d{2})-?(\d{2})[T_]?(\d{2})[-:]?(\d{2})[-:]?(\d{2})Z?$/;

/** A backup file name's timestamp, read as UTC; null when it is not one of the supported forms. */
export function parseBackupTimestamp(text: string): Date | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2026-02-31 over into March; a name like that is not a real timestamp.
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return valid ? date : null;
}

export function backupNameRegex(filenamePattern: string): RegExp {
  const parts = filenamePattern.split('{timestamp}').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('([0-9TZ:_-]+)')}$`);
}

export async function listBackups(directory: string, filenamePattern: string): Promise<BackupListing> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UserFacingError(
      'not_found',
      `cannot read the backup directory ${directory} (${code}): mount the backup volume there, give the bot read access, or fix database.backups.directory`,
      { cause: err },
    );
  }
  const pattern = backupNameRegex(filenamePattern);
  const backups: BackupFile[] = [];
  const ignored: BackupListing['ignored'] = [];
  for (const name of names.sort()) {
    const m = pattern.exec(name);
    if (!m) continue;
    const takenAt = parseBackupTimestamp(m[1] as string);
    if (!takenAt) {
      ignored.push({ name, reason: `"${m[1]}" is not a timestamp like 20261124T031500Z or 2026-11-24T03-15-00Z` });
      continue;
    }
    const info = await stat(join(directory, name)).catch(() => null);
    if (!info?.isFile()) continue;
    backups.push({ path: join(directory, name), name, takenAt, sizeBytes: info.size });
  }
  backups.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  return { backups, ignored };
}
