/**
 * What the repository holds: release tags, what changed between two refs, file contents.
 * Used to propose a target release, scope migrations and preview what resuming deploys ships.
 */

import type { DirectoryEntry } from '../../flows/ports/migration-source.ts';
import { type GitHubCall, repoNotFound } from './github-error.ts';
import type { GitHubOctokit } from './github-octokit.ts';

export interface CompareCommit {
  sha: string;
  message: string;
  author: string;
}

export interface CompareFile {
  filename: string;
  /** added, removed, modified, renamed, copied, changed, unchanged */
  status: string;
}

export interface CompareResult {
  commits: CompareCommit[];
  /** GitHub lists at most COMPARE_FILE_CAP changed files for a comparison, all on its first page. */
  files: CompareFile[];
  totalCommits: number;
}

export interface GitHubRepoContent {
  listReleaseTags(): Promise<string[]>;
  compare(base: string, head: string): Promise<CompareResult>;
  getFileContent(path: string, ref: string): Promise<string | null>;
  /** A directory's entries at a ref (at most DIRECTORY_LISTING_CAP); null when it does not exist there. */
  listDirectory(path: string, ref: string): Promise<DirectoryEntry[] | null>;
  tagExists(tag: string): Promise<boolean>;
}

const PER_PAGE = 100;
/** Enough for any release a person would review; beyond this we report the total only. */
const MAX_COMPARE_PAGES = 10;

export function createGitHubRepoContent(
  octokit: GitHubOctokit,
  owner: string,
  repo: string,
  call: GitHubCall,
): GitHubRepoContent {
  const slug = `${owner}/${repo}`;
  const readContents = { permission: 'contents=read', notFound: repoNotFound(slug) };
  return {
    listReleaseTags: () =>
      call({ action: `while listing releases and tags of ${slug}`, ...readContents }, async () => {
        const releases = await octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: PER_PAGE });
        const tags = await octokit.paginate(octokit.rest.repos.listTags, { owner, repo, per_page: PER_PAGE });
        // A prerelease's tag is also a plain tag; it must not come back in through the tag list.
        const unpublished = new Set(releases.filter((r) => r.draft || r.prerelease).map((r) => r.tag_name));
        const names = [...releases.map((r) => r.tag_name), ...tags.map((t) => t.name)];
        return [...new Set(names.filter((name) => !unpublished.has(name)))];
      }),

    compare: (base, head) =>
      call(
        {
          action: `while comparing ${base}...${head} in ${slug}`,
          permission: 'contents=read',
          notFound: `${base} or ${head} is not a tag, branch or commit of ${slug} — check the release tag and github.default_branch in rollback.yml`,
        },
        async () => {
          const result: CompareResult = { commits: [], files: [], totalCommits: 0 };
          for (let page = 1; page <= MAX_COMPARE_PAGES; page += 1) {
            const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
              owner,
              repo,
              basehead: `${base}...${head}`,
              per_page: PER_PAGE,
              page,
            });
            if (page === 1) {
              result.totalCommits = data.total_commits;
              result.files = (data.files ?? []).map((f) => ({ filename: f.filename, status: f.status }));
            }
            result.commits.push(
              ...data.commits.map((c) => ({
                sha: c.sha,
                message: c.commit.message,
                author: c.author?.login ?? c.commit.author?.name ?? 'unknown',
              })),
            );
            if (data.commits.length < PER_PAGE || result.commits.length >= result.totalCommits) break;
          }
          return result;
        },
      ),

    getFileContent: (path, ref) =>
      call({ action: `while reading ${path} at ${ref} in ${slug}`, ...readContents }, async () => {
        // {+path} keeps the slashes literal: Octokit's {path} sends %2F, which proxies in front
        // of GitHub Enterprise Server may refuse.
        const route = 'GET /repos/{owner}/{repo}/contents/{+path}';
        try {
          const { data } = await octokit.request(route, { owner, repo, path, ref });
          const file = data as { type?: string; encoding?: string; content?: string };
          if (Array.isArray(data) || file.type !== 'file') return null;
          if (file.encoding === 'base64') return Buffer.from(file.content ?? '', 'base64').toString('utf8');
          // Files over 1 MB come without content; the raw media type returns them whole.
          const raw = await octokit.request(route, { owner, repo, path, ref, mediaType: { format: 'raw' } });
          return String(raw.data);
        } catch (err) {
          if (statusOf(err) === 404) return null;
          throw err;
        }
      }),

    listDirectory: (path, ref) =>
      call({ action: `while listing ${path} at ${ref} in ${slug}`, ...readContents }, async () => {
        try {
          const route = 'GET /repos/{owner}/{repo}/contents/{+path}';
          const { data } = await octokit.request(route, { owner, repo, path, ref });
          if (!Array.isArray(data)) return null;
          return data.map((e: DirectoryEntry) => ({ path: e.path, sha: e.sha, type: e.type }));
        } catch (err) {
          if (statusOf(err) === 404) return null;
          throw err;
        }
      }),

    tagExists: (tag) =>
      call({ action: `while looking up tag ${tag} in ${slug}`, ...readContents }, async () => {
        try {
          // git/ref (singular) matches exactly; git/refs would match v1.2 against v1.2.3 too.
          await octokit.request('GET /repos/{owner}/{repo}/git/ref/tags/{tag}', { owner, repo, tag });
          return true;
        } catch (err) {
          if (statusOf(err) === 404) return false;
          throw err;
        }
      }),
  };
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
    ? err.status
    : undefined;
}
