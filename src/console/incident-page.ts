/**
 * One incident's page: its facts, times and SLA clocks, checklist and thread. The live region is
 * the part the page swaps in when the server pushes a change. Every interpolated value is escaped
 * by hono's `html` (console-pages.ts).
 */
import { html } from 'hono/html';
import { STATE_LABELS } from '../adapters/slack/checklist-blocks.ts';
import { formatUtcTime, ROLE_TITLES, targetSourceTitle } from '../adapters/slack/formatting.ts';
import type { ChecklistRow, PhaseModel, StepRow } from '../domain/checklist-model.ts';
import { DRILL_BANNER, drillPrefix } from '../domain/drill.ts';
import type { Incident } from '../domain/incident.ts';
import { TRIGGER_TITLES } from '../domain/incident.ts';
import type { StepAction } from '../domain/step-actions.ts';
import { ROLES, type Role } from '../domain/steps.ts';
import { formatDurationMs, MILESTONE_TITLES, type SlaVerdict } from '../domain/times.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import {
  type Actors,
  type ConsoleMode,
  type Html,
  isoMinute,
  layout,
  READ_ONLY_HINT,
  roleTitle,
} from './console-pages.ts';
import type { IncidentView, ThreadLine } from './incident-view.ts';

const BUTTONS: Record<StepAction, { label: string; tone: string }> = {
  run: { label: 'Run', tone: 'primary' },
  approve: { label: 'Approve', tone: 'primary' },
  confirm: { label: 'Confirm', tone: 'primary' },
  retry: { label: 'Retry', tone: 'plain' },
  skip: { label: 'Skip…', tone: 'plain' },
  abort: { label: 'Abort…', tone: 'danger' },
};
export function incidentPage(view: IncidentView, mode: ConsoleMode, actors?: Actors): Html {
  const id = view.snapshot.incident.id;
  const body = html`<div id="live" data-live="/incidents/${id}/live">${liveRegion(view, mode)}</div>${mode === 'drill' ? actionDialog() : ''}`;
  return layout(`${id}`, body, { mode, incidentId: id, actors });
}

/** Everything that changes while the incident runs: swapped in whole on each pushed update. */
export function liveRegion(view: IncidentView, mode: ConsoleMode): Html {
  const i = view.snapshot.incident;
  const progress = latestProgress(view);
  return html`<section class="head state-${i.state}">
  <h1>${headline(i)}</h1>
  ${i.drill ? html`<p class="banner-drill" role="note">${DRILL_BANNER}</p>` : ''}
  ${i.drill && mode === 'drill' && i.state !== 'open' ? html`<p class="closed"><a href="/drill/report/${i.id}">The drill report: TTD/TTR, time on humans, the bot and rollouts, SLA verdicts</a></p>` : ''}
  ${i.state === 'open' ? '' : html`<p class="closed">${i.state === 'resolved' ? `Resolved at ${isoMinute(i.resolvedAt)} UTC. This checklist is closed.` : 'Rollback aborted: nothing more runs from this checklist.'}</p>`}
  <dl class="facts">
    <div><dt>Bad release</dt><dd><code>${i.badVersion}</code></dd></div>
    <div><dt>Target</dt><dd>${target(i)}</dd></div>
    <div><dt>Severity</dt><dd>${i.severity}${i.critical ? html` <span class="pill pill-critical">critical</span>` : ''}</dd></div>
    <div><dt>Trigger</dt><dd>${TRIGGER_TITLES[i.trigger]}</dd></div>
    <div><dt>Environment</dt><dd>${view.environment.name} <small>(${[view.environment.kubeContext, view.environment.namespace].filter(Boolean).join(' / ')})</small></dd></div>
    <div><dt>Issue</dt><dd>${issue(i.issueUrl)}</dd></div>
  </dl>
  <p class="roles">${ROLES.map((r) => html`<span><b>${roleTitle(r)}</b> ${view.roles[r]?.join(', ') || 'none configured'}</span>`)}</p>
  ${view.autopilot ? html`<p class="autopilot">${view.autopilot}</p>` : ''}
  ${incidentActions(i, mode)}
</section>
<section class="clocks">${timesPanel(view)}${slaPanel(view.sla, i.state === 'open')}</section>
<div class="columns">
  <section class="checklist" aria-label="Checklist">${view.phases.map((p) => phase(p, mode, progress))}</section>
  <section class="thread" aria-label="Thread"><h2>Thread <small>(UTC)</small></h2><ol id="thread">${view.thread.map((t) => threadLine(t, view.now))}</ol></section>
</div>`;
}

function headline(i: Incident): string {
  const versions = i.targetVersion
    ? `${i.badVersion} → ${i.targetVersion}`
    : `of ${i.badVersion} · target not chosen yet`;
  const state = i.state === 'open' ? '' : i.state === 'resolved' ? 'Resolved · ' : 'Aborted · ';
  return `${drillPrefix(i)}${i.id} · ${state}${i.severity} rollback ${versions}`;
}

function target(i: Incident): Html {
  if (!i.targetVersion) return html`<em>not selected yet</em>`;
  const source = i.targetSource ? ` from ${mentionsAsText(targetSourceTitle(i.targetSource))}` : '';
  return html`<code>${i.targetVersion}</code>${source}${i.decidedAt ? '' : html` — <em>awaiting the captain’s approval</em>`}`;
}

/** An https link is a link; anything else stored there is shown as text. */
function issue(url: string | null): Html {
  if (!url) return html`<em>none linked</em>`;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  return parsed?.protocol === 'https:'
    ? html`<a href="${parsed.href}" rel="noopener noreferrer">${url}</a>`
    : html`${url}`;
}

function incidentActions(i: Incident, mode: ConsoleMode): Html {
  const disabled = mode !== 'drill';
  const button = (action: string, label: string, tone: string) =>
    html`<button type="button" class="btn btn-${tone}" data-action="${action}" ${disabled ? html`disabled title="${READ_ONLY_HINT}"` : ''}>${label}</button>`;
  return html`<div class="incident-actions">
  ${i.state === 'open' ? button('correct_times', 'Correct times…', 'plain') : ''}
  ${i.state === 'open' && !i.critical ? button('mark_critical', 'Mark critical…', 'danger') : ''}
  ${i.state === 'open' ? button('abort_incident', 'Abort rollback…', 'danger') : ''}
  <a class="btn btn-plain" href="/api/incidents/${i.id}/export?format=markdown" download="${i.id}-timeline.md">Export timeline (Markdown)</a>
  <a class="btn btn-plain" href="/api/incidents/${i.id}/export?format=json">Export (JSON)</a>
</div>`;
}

function timesPanel(view: IncidentView): Html {
  const i = view.snapshot.incident;
  const d = view.durations;
  const row = (label: string, at: Date | null, extra = '') =>
    html`<tr><th>${label}</th><td>${at ? isoSecond(at) : '—'}</td><td>${extra}</td></tr>`;
  const dur = (label: string, ms: number | null) => (ms === null ? '' : `${label} ${formatDurationMs(ms)}`);
  return html`<div class="panel"><h2>Times <small>(UTC)</small></h2><table class="times">
${row('Impact started', i.impactStartedAt)}
${row('Detected', i.detectedAt, dur('TTD', d.ttdMs))}
${row('Decided', i.decidedAt, dur('time to decide', d.decideMs))}
${row('Restored', i.restoredAt, dur('TTR', d.ttrMs))}
${row('Resolved', i.resolvedAt)}
</table></div>`;
}

function slaPanel(sla: readonly SlaVerdict[], open: boolean): Html {
  return html`<div class="panel"><h2>SLA clocks</h2><ul class="sla">${sla.map((s) => {
    const title = `${MILESTONE_TITLES[s.milestone]} within ${formatDurationMs(s.budgetMs)}`;
    if (s.verdict === 'pending' && open) {
      return html`<li class="sla-pending"><b>${title}</b> due ${isoSecond(s.dueAt)} — <span class="countdown" data-due="${s.dueAt.toISOString()}"></span></li>`;
    }
    const met = s.metAt ? ` at ${isoSecond(s.metAt)} (took ${formatDurationMs(s.tookMs)})` : ' (not reached)';
    return html`<li class="sla-${s.verdict}"><b>${title}</b>: ${s.verdict}${met}</li>`;
  })}</ul></div>`;
}

/** A running step's latest progress line (a rollout's "1 of 2 updated"), shown under the step too. */
function latestProgress(view: IncidentView): Map<string, ThreadLine> {
  const latest = new Map<string, ThreadLine>();
  for (const t of view.thread) if (t.progress && t.stepId) latest.set(t.stepId, t);
  return latest;
}

function phase(p: PhaseModel, mode: ConsoleMode, progress: ReadonlyMap<string, ThreadLine>): Html {
  return html`<div class="phase"><h2>${p.title}</h2><ul class="steps">${p.rows.map((r) => row(r, mode, progress))}</ul></div>`;
}

function row(r: ChecklistRow, mode: ConsoleMode, progress: ReadonlyMap<string, ThreadLine>): Html {
  if (r.kind === 'not_offered') {
    return html`<li class="step state-not-offered"><div class="step-head"><span class="step-title">${r.defs.map((d) => d.title).join(', ')}</span><span class="pill">not offered</span></div><p class="meta">only for critical incidents (security exposure or data corruption)</p></li>`;
  }
  if (r.kind === 'missing')
    return html`<li class="step"><span class="step-title">${r.def.title}</span> — no record yet</li>`;
  return stepRow(r, mode, r.record.state === 'running' ? progress.get(r.def.id) : undefined);
}

function stepRow(r: StepRow, mode: ConsoleMode, progress: ThreadLine | undefined): Html {
  const { def, record } = r;
  const meta = [activity(r), ...approvalNotes(r), ...waiting(r)].filter(Boolean);
  const detail = r.detail ? mentionsAsText(r.detail.text) : '';
  return html`<li class="step state-${record.state}" id="step-${def.id}" data-step="${def.id}" data-state="${record.state}">
  <div class="step-head">
    <span class="step-title">${def.title}</span>
    <span class="pill pill-${record.state}">${STATE_LABELS[record.state].word}${record.attempt > 1 ? ` · attempt ${record.attempt}` : ''}</span>
  </div>
  ${meta.length ? html`<p class="meta">${meta.join(' · ')}</p>` : ''}
  ${progress ? html`<p class="now"><time datetime="${progress.at.toISOString()}">${formatUtcTime(progress.at)}</time> ${progressText(progress, r.def.title)}</p>` : ''}
  ${detail ? html`<pre class="detail detail-${r.detail?.kind ?? 'summary'}">${r.detail?.kind === 'error' ? `Error: ${detail}` : detail}</pre>` : ''}
  ${r.actions.length ? html`<div class="actions">${r.actions.map((a) => actionButton(a, def.id, record.version, mode))}</div>` : ''}
</li>`;
}

/** The thread says "Revert container images: …"; under the step itself the title is redundant. */
function progressText(line: ThreadLine, title: string): string {
  const text = mentionsAsText(line.text);
  return text.startsWith(`${title}: `) ? text.slice(title.length + 2) : text;
}

function actionButton(action: StepAction, stepId: string, version: number, mode: ConsoleMode): Html {
  const b = BUTTONS[action];
  const disabled = mode !== 'drill' ? html` disabled title="${READ_ONLY_HINT}"` : '';
  return html`<button type="button" class="btn btn-${b.tone}" data-action="${action}" data-step="${stepId}" data-version="${version}"${disabled}>${b.label}</button>`;
}

function activity(r: StepRow): string {
  const a = r.activity;
  if (!a) return '';
  const who = a.actor ? ` by ${a.actor}` : '';
  const at = a.at ? ` at ${formatUtcTime(a.at)}` : '';
  return `${a.verb}${who}${at}${a.tookMs !== null ? ` (took ${formatDurationMs(a.tookMs)})` : ''}`;
}

function approvalNotes(r: StepRow): string[] {
  const notes = r.approvals.map((a) => `approved by ${a.userId} (${ROLE_TITLES[a.role]}) at ${formatUtcTime(a.at)}`);
  const who = (roles: readonly Role[]) => roles.map((x) => ROLE_TITLES[x]).join(' + ');
  if (r.planNeeds) notes.push(`Run shows the plan, then it needs approval: ${who(r.planNeeds)}`);
  if (r.owed.length) notes.push(`needs approval: ${who(r.owed)}`);
  return notes;
}

function waiting(r: StepRow): string[] {
  if (r.waitsFor.length) return [`waits for ${r.waitsFor.map((d) => d.title).join(', ')}`];
  return r.blocked ? [mentionsAsText(r.blocked)] : [];
}

function threadLine(t: ThreadLine, now: Date): Html {
  return html`<li class="line kind-${t.kind}${t.progress ? ' progress' : ''}"><time datetime="${t.at.toISOString()}">${formatUtcTime(t.at, now)}</time> <span class="text">${mentionsAsText(t.text)}</span>${t.actor === 'rollback-commander' ? '' : html` <span class="who">— ${t.actor}</span>`}</li>`;
}

/** One dialog for every action that asks for words first (a reason, a note, corrected times). */
function actionDialog(): Html {
  return html`<dialog id="ask">
<form method="dialog" id="ask-form">
  <h2 id="ask-title">Reason</h2>
  <p id="ask-help"></p>
  <label id="ask-text-label">Reason <textarea id="ask-text" name="text" rows="3" maxlength="2000"></textarea></label>
  <div id="ask-times" hidden>
    <label>First bad request (UTC, ISO 8601) <input id="ask-impact" name="impact" placeholder="2026-11-24T03:12:00Z"></label>
    <label>Detected (UTC, ISO 8601) <input id="ask-detected" name="detected" placeholder="2026-11-24T03:20:00Z"></label>
  </div>
  <menu><button value="cancel" class="btn btn-plain" formnovalidate>Cancel</button><button value="ok" id="ask-ok" class="btn btn-primary">OK</button></menu>
</form>
</dialog>`;
}

const isoSecond = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
