/**
 * Runbook: "Update incident with time-to-detect and time-to-recover". Runs once the captain has
 * approved it: builds the summary, comments TTD/TTR and the summary on the linked GitHub issue,
 * and closes the incident. The `incident_resolved` event (the chat summary) is written in the
 * same commit as the closing (flows/milestones.ts). The comment is checkpointed, so a worker
 * that dies after posting it does not post it twice.
 */
import { isTransient } from '../../../domain/errors.ts';
import { formatDurationMs } from '../../../domain/times.ts';
import type { RunExecutor } from '../../executor.ts';
import type { IncidentStore, IssueComments } from '../../ports.ts';
import { readOutput } from '../_shared/step-output.ts';
import { type CommentResult, type ResolveOutput, resolveOutputSchema } from './output.ts';
import { renderSummary, resolutionFigures, resolutionReport } from './resolve-summary.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const plainUser = (id: string) => (SLACK_USER.test(id) ? `Slack ${id}` : id);

export function createResolve(deps: {
  store: Pick<IncidentStore, 'timeline'>;
  comments: IssueComments | null;
}): RunExecutor {
  return {
    async run(ctx) {
      const resolvedAt = ctx.now();
      const incident = { ...ctx.incident, state: 'resolved' as const, resolvedAt };
      // The summary is written as of the commit that closes the incident, so resolve shows as succeeded.
      const steps = new Map(ctx.snapshot.steps).set('resolve', { ...ctx.step, state: 'succeeded' });
      const snap = { ...ctx.snapshot, incident, steps };
      const figures = resolutionFigures(snap, await deps.store.timeline(incident.id), ctx.config.sla, resolvedAt);
      const { ttdMs, ttrMs, decideMs, impactMs } = figures.durations;
      const headline = `TTD ${ttdMs === null ? 'unknown (first bad request not entered)' : formatDurationMs(ttdMs)} · TTR ${ttrMs === null ? 'not restored' : formatDurationMs(ttrMs)}`;
      // A drill posts no GitHub issue comment (issue 9 §4): people outside the rehearsal read the issue.
      const comment =
        incident.issueUrl && !incident.drill
          ? await postComment(
              ctx,
              deps.comments,
              incident.issueUrl,
              `**Rollback resolved** — ${headline}\n\n${renderSummary(incident, figures, plainUser)}`,
            )
          : null;
      const sla = Object.fromEntries(
        figures.sla.map((s) => [
          s.milestone,
          {
            budgetMs: s.budgetMs,
            dueAt: s.dueAt.toISOString(),
            metAt: s.metAt?.toISOString() ?? null,
            verdict: s.verdict,
            tookMs: s.tookMs,
          },
        ]),
      );
      const resolution = {
        // Markdown for the export and the CLI; Slack renders `report` as mrkdwn itself.
        summary: renderSummary(incident, figures, plainUser),
        report: resolutionReport(incident, figures),
        severity: incident.severity,
        drill: incident.drill,
        resolvedAt: resolvedAt.toISOString(),
        ttdMs,
        ttrMs,
        decideMs,
        impactMs,
        sla,
        pausedMs: figures.pausedMs,
        issueComment: comment,
      };
      const verdicts = figures.sla.map((s) => `${s.milestone} SLA ${s.verdict}`).join(', ');
      const commented =
        incident.drill && incident.issueUrl
          ? '; drill: no comment on the issue'
          : comment?.url
            ? `; commented on ${comment.url}`
            : comment?.error
              ? `; could not comment on the issue: ${comment.error}`
              : '';
      return {
        outcome: 'succeeded',
        summary: `Resolved: ${headline}; ${verdicts}${commented}`,
        output: { resolution } satisfies ResolveOutput,
        incident: { state: 'resolved', resolvedAt },
      };
    },
  };
}

/** A comment that cannot be posted (no token, no access) does not keep the incident open: it is reported. */
async function postComment(
  ctx: Parameters<RunExecutor['run']>[0],
  comments: IssueComments | null,
  issueUrl: string,
  body: string,
): Promise<CommentResult> {
  const earlier = readOutput('resolve', resolveOutputSchema, ctx.previous).issueComment;
  if (earlier?.url) return earlier;
  if (!comments) return { url: null, error: 'GITHUB_TOKEN is not set; post TTD/TTR on the issue by hand' };
  try {
    const { url } = await comments.commentOnIssue(issueUrl, body);
    await ctx.checkpoint({ issueComment: { url } });
    return { url };
  } catch (err) {
    if (isTransient(err)) throw err;
    return { url: null, error: (err as Error).message };
  }
}
