/**
 * What the migration steps read from the repository (the GitHub adapter satisfies it), and GitHub's
 * listing limits, which the scope must know to refuse a list that may be cut short.
 */

export interface ChangedFile {
  filename: string;
  /** GitHub's compare statuses: added, removed, modified, renamed, copied, changed, unchanged. */
  status: string;
}

export interface DirectoryEntry {
  /** The path from the repository root. */
  path: string;
  /** The blob's SHA: the same name with another SHA is an edited file. */
  sha: string;
  type: string;
}

/** GitHub's compare lists at most this many changed files, all on its first page (files are not paged). */
export const COMPARE_FILE_CAP = 300;
/** The contents API returns at most this many entries of a directory. */
export const DIRECTORY_LISTING_CAP = 1000;

export interface MigrationSource {
  /** Files changed between two refs, as GitHub's compare API lists them. */
  compare(base: string, head: string): Promise<{ files: ChangedFile[] }>;
  /** A file's text at a ref; null when it does not exist there. */
  getFileContent(path: string, ref: string): Promise<string | null>;
  /** A directory's entries at a ref; null when it does not exist there. */
  listDirectory(path: string, ref: string): Promise<DirectoryEntry[] | null>;
}
