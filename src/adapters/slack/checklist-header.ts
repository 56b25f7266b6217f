/**
 * The top of the checklist: what is rolled back where, who is on it, the times known so far and
 * the SLA countdowns (PRODUCT.md "Times and metrics").
 */

import type { AutopilotStatus } from '../../domain/autopilot.ts';
import { DRILL_BANNER, drillPrefix } from '../../domain/drill.ts';
import type { Incident } from '../../domain/incident.ts';
import { TRIGGER_TITLES } from '../../domain/incident.ts';
import { ROLES, type Role } from '../../domain/steps.ts';
import { INCIDENT_ACTION_IDS } from './action-ids.ts';
import { autopilotStatusLine } from './autopilot-text.ts';
import type { Button, KnownBlock } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import {
  escapeMrkdwn,
  formatDurationMs,
  formatUtcTime,
  issueLink,
  mention,
  ROLE_TITLES,
  targetSourceTitle,
} from './formatting.ts';

export interface ChecklistEnvironment {
  name: string;
  kubeContext?: string;
  namespace: string;
}

export interface ChecklistSla {
  /** Absent for P2: the runbook sets only a restore budget there. */
  decideMs?: number;
  restoreMs: number;
}

export interface HeaderView {
  incident: Incident;
  roles: Record<Role, string[]>;
  environment: ChecklistEnvironment;
  sla: ChecklistSla;
  now: Date;
  /** What autopilot does next and waits for; absent: no line (a closed incident, older callers). */
  autopilot?: AutopilotStatus;
}

/** Past this, a role line lists "+N more" instead of every member of a large user group. */
const MAX_MENTIONS_PER_ROLE = 5;

export function renderHeader(view: HeaderView): KnownBlock[] {
  const { incident } = view;
  return [
    { type: 'header', text: plain(headline(incident)) },
    ...(incident.drill ? [{ type: 'context', elements: [mrkdwn(`:test_tube: *${DRILL_BANNER}*`)] } as KnownBlock] : []),
    { type: 'section', fields: facts(view).map(mrkdwn) },
    { type: 'section', text: mrkdwn([rolesLine(view.roles), timesLine(incident, view.now), slaLine(view)].join('\n')) },
    ...(view.autopilot && incident.state === 'open'
      ? [{ type: 'context', elements: [mrkdwn(autopilotStatusLine(view.autopilot))] } as KnownBlock]
      : []),
    incidentActions(incident),
  ];
}

/** Correct the times while the incident is open; export the postmortem timeline any time. */
function incidentActions(incident: Incident): KnownBlock {
  const elements: Button[] = [];
  if (incident.state === 'open') {
    elements.push({
      type: 'button',
      action_id: INCIDENT_ACTION_IDS.correctTimes,
      text: plain('Correct times…'),
      value: incident.id,
    });
  }
  if (incident.state === 'open' && !incident.critical) {
    elements.push({
      type: 'button',
      action_id: INCIDENT_ACTION_IDS.markCritical,
      text: plain('Mark critical'),
      value: incident.id,
      style: 'danger',
      confirm: {
        title: plain('Mark the incident critical?'),
        text: mrkdwn(
          'For *security exposure* or *data corruption*: the backup restore steps are offered, with the two-person rule.',
        ),
        confirm: plain('Mark critical'),
        deny: plain('Cancel'),
      },
    });
  }
  elements.push({
    type: 'button',
    action_id: INCIDENT_ACTION_IDS.export,
    text: plain('Export timeline'),
    value: incident.id,
  });
  return { type: 'actions', block_id: 'incident_actions', elements };
}

export function headline(incident: Incident): string {
  return `${drillPrefix(incident)}${headlineOf(incident)}`;
}

function headlineOf(incident: Incident): string {
  const versions = incident.targetVersion
    ? `${incident.badVersion} → ${incident.targetVersion}`
    : `of ${incident.badVersion} · target not chosen yet`;
  if (incident.state === 'resolved') return `:checkered_flag: Resolved · ${incident.severity} rollback ${versions}`;
  if (incident.state === 'aborted') return `:octagonal_sign: Aborted · ${incident.severity} rollback ${versions}`;
  return `:rotating_light: ${incident.severity} rollback ${versions}`;
}

function facts(view: HeaderView): string[] {
  const { incident, environment } = view;
  const kube = [environment.kubeContext, environment.namespace]
    .filter(Boolean)
    .map((s) => `\`${escapeMrkdwn(s ?? '')}\``)
    .join(' / ');
  return [
    `*Bad release*\n\`${escapeMrkdwn(incident.badVersion)}\``,
    `*Target*\n${target(incident)}`,
    `*Severity*\n${incident.severity}${incident.critical ? ' · :warning: *critical* (backup restore offered)' : ''}`,
    `*Trigger*\n${TRIGGER_TITLES[incident.trigger]}`,
    `*Environment*\n${escapeMrkdwn(environment.name)} (${kube})`,
    `*Issue*\n${incident.issueUrl ? issueLink(incident.issueUrl) : '_none linked_'}`,
  ];
}

function target(incident: Incident): string {
  if (!incident.targetVersion) return '_not selected yet_';
  const source = incident.targetSource ? ` from ${escapeMrkdwn(targetSourceTitle(incident.targetSource))}` : '';
  const approved = incident.decidedAt ? '' : ' — _awaiting the captain’s approval_';
  return `\`${escapeMrkdwn(incident.targetVersion)}\`${source}${approved}`;
}

function rolesLine(roles: Record<Role, string[]>): string {
  const parts = ROLES.map((role) => {
    const users = [...new Set(roles[role] ?? [])];
    const shown = users.slice(0, MAX_MENTIONS_PER_ROLE).map((u) => mention(u));
    if (users.length > MAX_MENTIONS_PER_ROLE) shown.push(`+${users.length - MAX_MENTIONS_PER_ROLE} more`);
    const title = ROLE_TITLES[role];
    return `*${title[0]?.toUpperCase()}${title.slice(1)}* ${shown.length ? shown.join(', ') : '_none configured_'}`;
  });
  return parts.join(' · ');
}

function timesLine(incident: Incident, now: Date): string {
  const t = (label: string, at: Date | null) => `*${label}* ${at ? formatUtcTime(at, now) : '—'}`;
  const ttd = incident.impactStartedAt
    ? ` · *TTD* ${formatDurationMs(incident.detectedAt.getTime() - incident.impactStartedAt.getTime())}`
    : '';
  return `${[
    t('Impact started', incident.impactStartedAt),
    t('Detected', incident.detectedAt),
    t('Decided', incident.decidedAt),
    t('Restored', incident.restoredAt),
    t('Resolved', incident.resolvedAt),
  ].join(' · ')} (UTC)${ttd}`;
}

function slaLine(view: HeaderView): string {
  const { incident, sla, now } = view;
  const open = incident.state === 'open';
  const parts: string[] = [];
  if (sla.decideMs !== undefined)
    parts.push(slaPart('Decided', 'Decision', incident.decidedAt, sla.decideMs, incident.detectedAt, now, open));
  parts.push(slaPart('Restored', 'Restore', incident.restoredAt, sla.restoreMs, incident.detectedAt, now, open));
  // The message is only re-rendered on changes, so a countdown says when it was computed.
  return open ? `${parts.join(' · ')}\n_SLA clock as of ${formatUtcTime(now)} UTC_` : parts.join(' · ');
}

/** One SLA: met/missed once done; otherwise time left, or how far overdue, at `now`. */
function slaPart(
  done: string,
  noun: string,
  doneAt: Date | null,
  budgetMs: number,
  from: Date,
  now: Date,
  open: boolean,
): string {
  const budget = formatDurationMs(budgetMs);
  if (doneAt) {
    const took = doneAt.getTime() - from.getTime();
    const tag = noun === 'Restore' ? ' (TTR)' : '';
    return took <= budgetMs
      ? `:white_check_mark: ${done} in ${formatDurationMs(took)}${tag}, within the ${budget} SLA`
      : `:warning: ${done} in ${formatDurationMs(took)}${tag}, *${formatDurationMs(took - budgetMs)} over* the ${budget} SLA`;
  }
  if (!open) return `:heavy_minus_sign: ${noun}: not reached`;
  const due = new Date(from.getTime() + budgetMs);
  const left = due.getTime() - now.getTime();
  return left >= 0
    ? `:stopwatch: ${noun} due ${formatUtcTime(due, now)} — *${formatDurationMs(left)} left*`
    : `:rotating_light: ${noun} *overdue by ${formatDurationMs(-left)}* (was due ${formatUtcTime(due, now)})`;
}
