/**
 * The console's HTML, server-rendered with hono's `html` template: every interpolated value is
 * escaped (text and attributes), so what people typed — reasons, notes, versions, errors — is
 * shown as text, never markup. Only `html` results nest unescaped. Here: the page frame, the
 * incident list and the small pages; one incident's page is incident-page.ts.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Incident } from '../domain/incident.ts';
import { ROLES, type Role } from '../domain/steps.ts';

export type ConsoleMode = 'drill' | 'read-only';
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const READ_ONLY_HINT = 'Read-only console: act in Slack or with the CLI';

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

export const roleTitle = (r: Role) =>
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
export const isoMinute = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—');
