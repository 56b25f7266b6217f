/**
 * Which backup to restore: the newest one taken before the first bad request — anything later
 * may already hold the corruption the incident is about. And what restoring it costs: every
 * write between the backup and now (the data-loss window), shown before anything runs.
 */
import type { BackupFile } from '../../ports/database.ts';

export interface BackupProposal {
  backup: BackupFile | null;
  /** Plain language: what was proposed and why, or why nothing could be. */
  reason: string;
}

export interface DataLossWindow {
  from: Date;
  to: Date;
  ms: number;
  text: string;
}

/** `backups` newest first (as listBackups returns them). */
export function proposeBackup(backups: readonly BackupFile[], firstBadRequestAt: Date): BackupProposal {
  const before = backups.find((b) => b.takenAt.getTime() < firstBadRequestAt.getTime());
  const at = firstBadRequestAt.toISOString();
  if (before) {
    return {
      backup: before,
      reason: `${before.name} (taken ${before.takenAt.toISOString()}, ${formatBytes(before.sizeBytes)}) is the newest backup taken before the first bad request at ${at}`,
    };
  }
  if (backups.length === 0) return { backup: null, reason: 'there are no backups in the backup directory' };
  const oldest = backups[backups.length - 1] as BackupFile;
  return {
    backup: null,
    reason: `every backup was taken after the first bad request at ${at} (the oldest is ${oldest.name}, taken ${oldest.takenAt.toISOString()}): they may hold the bad data — pick one by hand or restore from elsewhere`,
  };
}

export function dataLossWindow(backup: BackupFile, now: Date): DataLossWindow {
  const ms = Math.max(0, now.getTime() - backup.takenAt.getTime());
  return {
    from: backup.takenAt,
    to: now,
    ms,
    text: `writes from ${backup.takenAt.toISOString()} to ${now.toISOString()} (${formatDuration(ms)}) are not in this backup and would be lost if it is promoted`,
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 1) return `${minutes} min`;
  const days = Math.floor(hours / 24);
  if (days < 1) return `${hours} h ${minutes % 60} min`;
  return `${days} d ${hours % 24} h`;
}
