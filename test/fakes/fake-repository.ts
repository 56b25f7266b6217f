/**
 * An in-memory repository behind the ports the migration steps and start checks read from it
 * (MigrationSource, ReleaseTags): files per ref; a compare lists the files added, modified or
 * removed between two refs, as GitHub's compare API does.
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { ChangedFile, DirectoryEntry, MigrationSource, ReleaseTags } from '../../src/flows/ports.ts';

/** ref (tag or branch) → path → content. */
export type RepositoryFiles = Record<string, Record<string, string>>;

export function blobSha(content: string): string {
  let hash = 0;
  for (const ch of content) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(40, '0');
}

export function changedFiles(refs: RepositoryFiles, base: string, head: string): ChangedFile[] {
  const before = refs[base] ?? {};
  const after = refs[head] ?? {};
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths.flatMap((filename) => {
    if (!(filename in before)) return [{ filename, status: 'added' }];
    if (!(filename in after)) return [{ filename, status: 'removed' }];
    return before[filename] === after[filename] ? [] : [{ filename, status: 'modified' }];
  });
}

export function directoryEntries(files: Record<string, string>, path: string): DirectoryEntry[] | null {
  const prefix = `${path.replace(/\/+$/, '')}/`;
  const entries = Object.keys(files)
    .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
    .sort()
    .map((p) => ({ path: p, sha: blobSha(files[p]!), type: 'file' }));
  return entries.length ? entries : null;
}

export function createFakeRepository(refs: RepositoryFiles): MigrationSource & ReleaseTags {
  const at = (ref: string): Record<string, string> => {
    const files = refs[ref];
    if (!files) throw new UserFacingError('not_found', `${ref} is not a tag, branch or commit of the repository`);
    return files;
  };
  return {
    async compare(base, head) {
      at(base);
      at(head);
      return { files: changedFiles(refs, base, head) };
    },
    async getFileContent(path, ref) {
      return refs[ref]?.[path] ?? null;
    },
    async listDirectory(path, ref) {
      const files = refs[ref];
      return files ? directoryEntries(files, path) : null;
    },
    async tagExists(tag) {
      return tag in refs;
    },
  };
}
