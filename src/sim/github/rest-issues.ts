/**
 * The simulated GitHub's issue routes: comments on an issue (create with 201 or 422, list paged).
 */
import { notFound, page, type Route } from './rest-common.ts';

export const ISSUE_ROUTES: Route[] = [
  [
    'POST',
    /^\/issues\/(\d+)\/comments$/,
    (ctx, m, _url, body) => {
      const issue = Number(m[1]);
      if (!ctx.state.issues.includes(issue)) return notFound();
      if (typeof body.body !== 'string' || !body.body)
        return {
          status: 422,
          body: { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] },
        };
      const comment = {
        id: 9000 + ctx.state.comments.length + 1,
        issue,
        body: body.body,
        createdAt: ctx.now().toISOString(),
      };
      ctx.state.comments.push(comment);
      const html = `${ctx.webUrl}/${ctx.state.owner}/${ctx.state.repo}/issues/${issue}#issuecomment-${comment.id}`;
      return {
        status: 201,
        body: { id: comment.id, body: comment.body, html_url: html, created_at: comment.createdAt },
      };
    },
  ],
  [
    'GET',
    /^\/issues\/(\d+)\/comments$/,
    (ctx, m, url) => {
      const issue = Number(m[1]);
      if (!ctx.state.issues.includes(issue)) return notFound();
      return page(
        url,
        ctx.state.comments.filter((c) => c.issue === issue),
        (slice) => slice.map((c) => ({ id: c.id, body: c.body, created_at: c.createdAt })),
      );
    },
  ],
];
