/**
 * The resolve summary as Slack shows it: mrkdwn (bold, bullets, inline code), because Slack
 * prints GitHub Markdown's `###`, tables and `**bold**` as typed. Rendered from the
 * `incident_resolved` event's `report` (flows/steps/resolve/resolve-summary.ts); every value people or
 * tools wrote goes through escapeMrkdwn.
 */
import { z } from 'zod';
import { STEP_IDS } from '../../domain/steps.ts';
import {
  pausedWords,
  type ResolutionReport,
  skippedValidation,
  slaLine,
  stepMark,
  stepWords,
} from '../../flows/steps/resolve/resolve-summary.ts';
import { escapeMrkdwn, formatDurationMs, formatUtcTime, issueLink, mention } from './formatting.ts';

const iso = z.string().nullable();
const ms = z.number().nullable();
const stepState = z.enum([
  'pending',
  'queued',
  'running',
  'awaiting_approval',
  'awaiting_confirmation',
  'succeeded',
  'failed',
  'skipped',
  'aborted',
]);

/** The stored report, read back as the type it was written with (a malformed one renders nothing). */
const reportSchema: z.ZodType<ResolutionReport> = z.object({
  incident: z.object({
    id: z.string(),
    environment: z.string(),
    badVersion: z.string(),
    targetVersion: z.string().nullable(),
    severity: z.enum(['P1', 'P2']),
    critical: z.boolean(),
    issueUrl: z.string().nullable(),
  }),
  times: z.object({ impactStartedAt: iso, detectedAt: iso, decidedAt: iso, restoredAt: iso, resolvedAt: iso }),
  durations: z.object({ ttdMs: ms, decideMs: ms, ttrMs: ms, impactMs: ms }),
  sla: z.array(
    z.object({
      milestone: z.enum(['decide', 'restore']),
      budgetMs: z.number(),
      verdict: z.enum(['met', 'missed', 'pending']),
      tookMs: z.number(),
      reached: z.boolean(),
    }),
  ),
  pausedMs: ms,
  pause: z.enum(['resumed', 'still_paused', 'not_paused']),
  images: z.array(z.object({ deployment: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  steps: z.array(
    z.object({
      stepId: z.enum(STEP_IDS),
      title: z.string(),
      state: stepState,
      ranBy: z.string().nullable(),
      approvedBy: z.array(z.object({ userId: z.string(), role: z.string() })),
      doneBy: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
});

export function parseResolutionReport(value: unknown): ResolutionReport | null {
  const parsed = reportSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

const code = (text: string) => `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
const dur = (value: number | null) => (value === null ? '—' : formatDurationMs(value));
const time = (value: string | null) => (value ? formatUtcTime(new Date(value)) : '—');

export function renderResolutionMrkdwn(r: ResolutionReport): string {
  const i = r.incident;
  const t = r.times;
  const d = r.durations;
  const lines = [
    `*Rollback ${code(i.badVersion)} → ${i.targetVersion ? code(i.targetVersion) : '(no target)'} ` +
      `in ${escapeMrkdwn(i.environment)}: resolved*`,
    `${i.severity}${i.critical ? ' (critical)' : ''} · incident ${code(i.id)}${i.issueUrl ? ` · ${issueLink(i.issueUrl)}` : ''}`,
    `*Impact started* ${time(t.impactStartedAt)} · *Detected* ${time(t.detectedAt)} · *Decided* ${time(t.decidedAt)} · ` +
      `*Restored* ${time(t.restoredAt)} · *Resolved* ${time(t.resolvedAt)} (UTC)`,
    `*TTD* ${dur(d.ttdMs)} · *Time to decide* ${dur(d.decideMs)} · *TTR* ${dur(d.ttrMs)} · *Impact* ${dur(d.impactMs)}`,
    '*SLAs*',
    ...r.sla.map((s) => `• ${slaLine(s)}`),
  ];
  const skipped = skippedValidation(r.steps, escapeMrkdwn);
  if (skipped) lines.push(`• ${skipped}`);
  if (r.images.length) {
    const image = (m: ResolutionReport['images'][number]) =>
      `• ${code(m.deployment)}: ${m.before ? code(m.before) : '—'} → ${m.after ? code(m.after) : 'not reverted'}`;
    lines.push('*Images*', ...r.images.map(image));
  }
  lines.push(`*Deploys paused* ${pausedWords(r)}`, '*Steps*');
  for (const s of r.steps)
    lines.push(`• ${stepMark(s)} ${escapeMrkdwn(s.title)} — ${stepWords(s, mention, escapeMrkdwn)}`);
  return lines.join('\n');
}
