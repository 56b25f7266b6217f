/**
 * The console's HTML, server-rendered with hono's `html` template: every interpolated value is
 * escaped (text and attributes), so what people typed — reasons, notes, versions, errors — is
 * shown as text, never markup. Only `html` results nest unescaped. The live region is the part
 * the page swaps in when the server pushes a change.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ChecklistRow, PhaseModel, StepRow } from '../domain/checklist-model.ts';
import type { Incident } from '../domain/incident.ts';
import { TRIGGER_TITLES } from '../domain/incident.ts';
import { DRILL_BANNER, drillPrefix } from '../domain/drill.ts';
import type { StepAction } from '../domain/step-actions.ts';
import { ROLES, type Role } from '../domain/steps.ts';
import { formatDurationMs, MILESTONE_TITLES, type SlaVerdict } from '../domain/times.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import { STATE_LABELS } from '../adapters/slack/checklist-blocks.ts';
import { formatUtcTime, ROLE_TITLES, targetSourceTitle } from '../adapters/slack/formatting.ts';
import type { IncidentView, ThreadLine } from './incident-view.ts';

export type ConsoleMode = 'drill' | 'read-only';
type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const BUTTONS: Record<StepAction, { label: string; tone: string }> = {
  run: { label: 'Run', tone: 'primary' },
  approve: { label: 'Approve', tone: 'primary' },
  confirm: { label: 'Confirm', tone: 'primary' },
  retry: { label: 'Retry', tone: 'plain' },
  skip: { label: 'Skip…', tone: 'plain' },
  abort: { label: 'Abort…', tone: 'danger' },
};

const READ_ONLY_HINT = 'Read-only console: act in Slack or with the CLI';

/** Who clicks as each role in a drill (shown in the picker). */
export type Actors = Partial<Record<Role, string>>;

export function layout(
  title: string,
  body: Html,
  options: { mode: ConsoleMode | 'off'; incidentId?: string; actors?: Actors } = { mode: 'read-only' },
): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Rollback Commander</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body data-mode="${options.mode}" data-incident="${options.incidentId ?? ''}">
<header class="topbar">
  <a class="brand" href="/">Rollback Commander</a>
  ${options.mode === 'drill' ? html`<span class="badge badge-drill">DRILL</span>` : options.mode === 'read-only' ? html`<span class="badge">read-only</span>` : ''}
  <span class="spacer"></span>
  ${options.mode === 'drill' ? rolePicker(options.actors ?? {}) : ''}
  <span id="conn" class="conn" title="live updates">●</span>
</header>
<main>${body}</main>
<div id="flash" role="status" aria-live="polite"></div>
</body>
</html>`;
}

function rolePicker(actors: Actors): Html {
  return html`<label class="picker">Acting as
  <select id="as" name="as">
    ${ROLES.map((r) => html`<option value="${r}">${roleTitle(r)}${actors[r] ? ` · ${actors[r]}` : ''}</option>`)}
  </select></label>`;
}

const roleTitle = (r: Role) =>
  ({ release_captain: 'Release Captain', oncall_sre: 'On-call SRE', database_owner: 'DB owner' })[r];

// ---- the list ---------------------------------------------------------------------------

export function listPage(incidents: readonly Incident[], mode: ConsoleMode, actors?: Actors): Html {
  const drills =
    mode === 'drill' ? html`<p class="drill-start"><a href="/drill">Start a drill: pick a scenario…</a></p>` : '';
  return layout(
    'Incidents',
    html`<h1>Incidents</h1>${drills}<div id="live" data-live="/live">${incidentList(incidents)}</div>`,
    { mode, actors },
  );
}

export function incidentList(incidents: readonly Incident[]): Html {
  if (incidents.length === 0)
    return html`<p class="empty">No incidents yet. Start one with <code>/rollback</code> in Slack or <code>rollback-commander start</code>.</p>`;
  return html`<table class="incidents">
<thead><tr><th>Incident</th><th>State</th><th>Rollback</th><th>Severity</th><th>Environment</th><th>Detected (UTC)</th></tr></thead>
<tbody>${incidents.map(
    (i) => html`<tr class="incident-${i.state}">
  <td><a href="/incidents/${i.id}">${i.id}</a></td>
  <td><span class="pill pill-${i.state}">${i.state}</span></td>
  <td><code>${i.badVersion}</code>${i.targetVersion ? html` → <code>${i.targetVersion}</code>` : ''}</td>
  <td>${i.severity}${i.critical ? html` <span class="pill pill-critical">critical</span>` : ''}</td>
  <td>${i.environment}</td>
  <td>${isoMinute(i.detectedAt)}</td>
</tr>`,
  )}</tbody></table>`;
}

// ---- one incident -----------------------------------------------------------------------

export function incidentPage(view: IncidentView, mode: ConsoleMode, actors?: Actors): Html {
  const id = view.snapshot.incident.id;
  const body = html`<div id="live" data-live="/incidents/${id}/live">${liveRegion(view, mode)}</div>${mode === 'drill' ? actionDialog() : ''}`;
  return layout(`${id}`, body, { mode, incidentId: id, actors });
}

/** Everything that changes while the incident runs: swapped in whole on each pushed update. */
export function liveRegion(view: IncidentView, mode: ConsoleMode): Html {
  const i = view.snapshot.incident;
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
  <section class="checklist" aria-label="Checklist">${view.phases.map((p) => phase(p, mode, latestProgress(view)))}</section>
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

export function loginPage(problem?: string): Html {
  return layout(
    'Sign in',
    html`<section class="login"><h1>Console token</h1>
<p>This console is protected by <code>CONSOLE_TOKEN</code>. Paste it once; the browser keeps an HttpOnly session cookie.</p>
${problem ? html`<p class="error">${problem}</p>` : ''}
<form method="post" action="/login"><input type="password" name="token" autocomplete="current-password" required autofocus aria-label="Console token"> <button class="btn btn-primary">Open the console</button></form></section>`,
    { mode: 'off' },
  );
}

export function offPage(): Html {
  return layout(
    'Console off',
    html`<section class="login"><h1>The web console is off</h1>
<p>Outside a drill the console is read-only and off unless <code>CONSOLE_TOKEN</code> is set (it has no login of its own).
Set <code>CONSOLE_TOKEN</code> and restart, or start a drill with <code>rollback-commander drill</code>.</p></section>`,
    { mode: 'off' },
  );
}

export function notFoundPage(what: string): Html {
  return layout(
    'Not found',
    html`<section class="login"><h1>Not found</h1><p>${what}</p><p><a href="/">All incidents</a></p></section>`,
    { mode: 'off' },
  );
}

const isoSecond = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const isoMinute = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—');
