/**
 * The simulated GitHub's repository routes: the repository itself, releases, tags, git refs,
 * compare and contents.
 */
import { createHash } from 'node:crypto';
import { notFound, page, type RestContext, type RestReply, type Route } from './rest-common.ts';

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

export function knownRef(ctx: RestContext, ref: string): boolean {
  return ref in ctx.state.tags || ref in ctx.state.files || ref === 'main' || /^[0-9a-f]{7,40}$/.test(ref);
}

export const REPO_ROUTES: Route[] = [
  [
    'GET',
    /^$/,
    (ctx) => ({
      status: 200,
      body: {
        id: 1,
        full_name: `${ctx.state.owner}/${ctx.state.repo}`,
        default_branch: 'main',
        allow_auto_merge: true,
        permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      },
    }),
  ],
  [
    'GET',
    /^\/releases$/,
    (ctx, _m, url) =>
      page(url, ctx.state.releases, (slice) =>
        slice.map((r, i) => ({
          id: 1000 + i,
          tag_name: r.tag,
          name: r.tag,
          draft: r.draft ?? false,
          prerelease: r.prerelease ?? false,
          html_url: `${ctx.webUrl}/${ctx.state.owner}/${ctx.state.repo}/releases/tag/${r.tag}`,
        })),
      ),
  ],
  [
    'GET',
    /^\/tags$/,
    (ctx, _m, url) =>
      page(url, Object.entries(ctx.state.tags), (slice) =>
        slice.map(([name, commit]) => ({
          name,
          commit: { sha: commit, url: `${ctx.apiUrl}/repos/${ctx.state.owner}/${ctx.state.repo}/commits/${commit}` },
        })),
      ),
  ],
  [
    'GET',
    /^\/git\/ref\/tags\/(.+)$/,
    (ctx, m) => {
      const tag = decodeURIComponent(m[1]!);
      const commit = ctx.state.tags[tag];
      return commit
        ? {
            status: 200,
            body: { ref: `refs/tags/${tag}`, node_id: `REF_${tag}`, object: { sha: commit, type: 'commit' } },
          }
        : notFound();
    },
  ],
  [
    'GET',
    /^\/compare\/(.+)$/,
    (ctx, m, url) => {
      const basehead = decodeURIComponent(m[1]!);
      const [base, head] = basehead.split('...');
      if (!base || !head || !knownRef(ctx, base) || !knownRef(ctx, head)) return notFound();
      const data = ctx.state.compares[basehead] ?? { commits: [], files: [] };
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 250));
      const n = Number(url.searchParams.get('page') ?? 1);
      const commits = data.commits.slice((n - 1) * perPage, n * perPage).map((c) => ({
        sha: c.sha,
        commit: {
          message: c.message,
          author: { name: c.author, email: `${c.author}@example.com`, date: '2026-11-20T10:00:00Z' },
        },
        author: { login: c.author },
      }));
      return {
        status: 200,
        body: {
          status: data.commits.length ? 'ahead' : 'identical',
          ahead_by: data.commits.length,
          behind_by: 0,
          total_commits: data.commits.length,
          commits,
          files: data.files,
        },
      };
    },
  ],
  [
    'GET',
    /^\/contents\/(.+)$/,
    (ctx, m, url) => contents(ctx, decodeURIComponent(m[1]!), url.searchParams.get('ref') ?? 'main'),
  ],
];

/** The contents API: a file (base64) or a directory listing at a ref; `raw` media type answers the text. */
function contents(ctx: RestContext, path: string, ref: string): RestReply {
  const files = ctx.state.files[ref];
  if (!files) return notFound();
  const text = files[path];
  if (text !== undefined) {
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        name: path.split('/').pop(),
        path,
        sha: sha(text),
        size: Buffer.byteLength(text),
        content: Buffer.from(text).toString('base64'),
      },
    };
  }
  const prefix = `${path.replace(/\/+$/, '')}/`;
  const children = new Map<string, { type: string; sha: string }>();
  for (const [p, t] of Object.entries(files)) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const [first, ...more] = rest.split('/');
    children.set(first!, more.length ? { type: 'dir', sha: sha(`${prefix}${first}`) } : { type: 'file', sha: sha(t) });
  }
  if (children.size === 0) return notFound();
  return {
    status: 200,
    body: [...children].map(([name, c]) => ({ name, path: `${prefix}${name}`, sha: c.sha, type: c.type })),
  };
}
