/**
 * A hostile corpus through every Slack renderer: whatever people (or tools) wrote reaches Slack
 * escaped — no `<!channel>`, `<!here>`, `<@U…>` or `<url|text>` of theirs survives, no bare
 * @here, no control or bidi-override character — while the mentions the bot writes itself stay
 * real mentions.
 */

import { describe, expect, it } from 'vitest';
import { renderChecklist, renderChecklistText } from '../../src/adapters/slack/checklist-blocks.ts';
import { escapeMrkdwn } from '../../src/adapters/slack/formatting.ts';
import { parseResolutionReport, renderResolutionMrkdwn } from '../../src/adapters/slack/resolution-mrkdwn.ts';
import { renderRollbackModal, withProposal } from '../../src/adapters/slack/rollback-modal.ts';
import { renderSkipModal } from '../../src/adapters/slack/skip-modal.ts';
import { formatThreadLine, isMilestone, type ThreadEvent } from '../../src/adapters/slack/thread-lines.ts';
import { toTimelineBody } from '../../src/domain/timeline-events.ts';
import { mentionOf } from '../../src/domain/user-text.ts';
import { type ResolutionFigures, resolutionReport } from '../../src/flows/steps/resolve/resolve-summary.ts';
import {
  approval,
  at,
  CAPTAIN,
  done,
  makeIncident,
  makeSteps,
  ROLES_IN_CONFIG,
  SRE,
  T0,
} from '../support/slack-fixtures.ts';

const HOSTILE = [
  '<!channel> v1.2.3',
  'v1.2.3 <!here>',
  '<@U0ADMIN>',
  '<https://evil.example|v1.2.3>',
  'https://github.com/o/r/issues/77#<!channel>',
  '<!subteam^S0ONCALL|@oncall> and <#C0SECRET>',
  'ping @here and @channel and @everyone',
  'nul\u0000 and rlo \u202eexe.txt',
];
const ALL = HOSTILE.join(' | ');

/** Bot-written forms allowed in Slack text: our people's mentions, channel links, links to GitHub. */
const ALLOWED = /^<(@(U0SRE00001|U0SRE00002|U0CAPTAIN1|U0DBOWNER1)|https:\/\/github\.com\/[^<>|\s]*(\|[^<>]*)?)>$/;

/** Every string Slack parses as mrkdwn in `value`: mrkdwn text objects and message `text`. */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) mrkdwnTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) mrkdwnTexts(v, out);
  }
  return out;
}

function expectSafe(texts: string[]): void {
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) {
    for (const markup of text.match(/<[^>]*>/g) ?? []) expect(markup, text).toMatch(ALLOWED);
    expect(text).not.toMatch(/@(here|channel|everyone)\b/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters must not reach Slack
    expect(text).not.toMatch(/[\u0000\u202e\u{E000}\u{E001}]/u);
  }
}

const HOSTILE_INCIDENT = makeIncident({
  badVersion: HOSTILE[0],
  targetVersion: HOSTILE[1],
  targetSource: HOSTILE[2],
  environment: HOSTILE[3]!,
  issueUrl: HOSTILE[4]!,
});

function hostileView() {
  const steps = makeSteps(HOSTILE_INCIDENT.id, {
    pause_deploys: done(0, 1, SRE, ALL),
    capture_context: { state: 'failed', error: ALL, actor: SRE, startedAt: at(1), finishedAt: at(2) },
    verify_cutover: done(2, 3, SRE, `Confirmed by ${mentionOf(SRE)}: ${ALL}`),
    smoke_tests: {
      state: 'skipped',
      summary: `Skipped by ${mentionOf(CAPTAIN)}: ${ALL}`,
      actor: CAPTAIN,
      finishedAt: at(4),
    },
  });
  return {
    incident: HOSTILE_INCIDENT,
    steps,
    approvals: [approval('select_release', 'release_captain', CAPTAIN, at(1))],
    roles: ROLES_IN_CONFIG,
    environment: { name: HOSTILE[5]!, kubeContext: HOSTILE[6], namespace: HOSTILE[7]! },
    sla: { decideMs: 600_000, restoreMs: 1_800_000 },
    now: at(5),
  };
}

const ev = (
  kind: string,
  payload: Record<string, unknown>,
  stepId: ThreadEvent['stepId'] = null,
  actor = SRE,
): ThreadEvent => ({ ...toTimelineBody(kind, payload), stepId, actor, at: T0 });

function hostileEvents(): ThreadEvent[] {
  const p = {
    reason: ALL,
    summary: ALL,
    error: ALL,
    hint: ALL,
    message: ALL,
    deployment: ALL,
    targetVersion: ALL,
    badVersion: ALL,
    severity: ALL,
    trigger: ALL,
    issueUrl: HOSTILE[4],
    field: ALL,
    from: ALL,
    to: ALL,
    action: ALL,
    role: ALL,
  };
  const kinds = [
    'incident_started',
    'step_queued',
    'step_started',
    'step_progress',
    'step_succeeded',
    'step_awaiting_approval',
    'step_awaiting_confirmation',
    'step_failed',
    'step_skipped',
    'step_aborted',
    'approval_given',
    'action_refused',
    'target_approved',
    'step_retrying',
    'incident_marked_critical',
    'times_corrected',
    'incident_aborted',
    'sla_breached',
    'some_new_kind',
  ];
  return [
    ...kinds.flatMap((kind) => [ev(kind, p, 'smoke_tests'), ev(kind, p, null, ALL)]),
    ev('app_restored', {
      ttrMs: 60_000,
      skipped: [{ stepId: 'smoke_tests', summary: `Skipped by ${mentionOf(CAPTAIN)}: ${ALL}` }],
    }),
    ev('sla_breached', { milestone: 'restore', mention: [CAPTAIN, ALL] }),
  ];
}

function hostileReport() {
  const figures: ResolutionFigures = {
    durations: { ttdMs: 60_000, decideMs: 120_000, ttrMs: 600_000, impactMs: 660_000 },
    sla: [{ milestone: 'restore', budgetMs: 1_800_000, dueAt: at(30), metAt: at(10), verdict: 'met', tookMs: 600_000 }],
    pausedMs: 600_000,
    pause: 'resumed',
    images: [{ deployment: ALL, before: ALL, after: HOSTILE[1]! }],
    steps: [
      {
        stepId: 'smoke_tests',
        title: 'Run smoke tests',
        state: 'skipped',
        ranBy: null,
        approvedBy: [],
        doneBy: CAPTAIN,
        note: ALL,
      },
      {
        stepId: 'revert_images',
        title: 'Revert',
        state: 'failed',
        ranBy: ALL,
        approvedBy: [{ userId: CAPTAIN, role: ALL }],
        doneBy: null,
        note: ALL,
      },
    ],
  };
  return resolutionReport({ ...HOSTILE_INCIDENT, state: 'resolved', resolvedAt: at(12) }, figures);
}

describe('the hostile corpus through every Slack renderer', () => {
  it('the one helper neutralises each form', () => {
    expect(escapeMrkdwn('<!channel> v1.2.3')).toBe('&lt;!channel&gt; v1.2.3');
    expect(escapeMrkdwn('<@U0ADMIN>')).toBe('&lt;@U0ADMIN&gt;');
    expect(escapeMrkdwn('<https://evil.example|v1.2.3>')).toBe('&lt;https://evil.example|v1.2.3&gt;');
    expect(escapeMrkdwn('a\u0000b\u202ec')).toBe('abc');
    expect(escapeMrkdwn('@here')).toBe('@\u2060here');
    expect(escapeMrkdwn(`Ask ${mentionOf(CAPTAIN)} or <@U0ADMIN>`)).toBe('Ask <@U0CAPTAIN1> or &lt;@U0ADMIN&gt;');
  });

  it('checklist blocks and notification text (the same message goes to both channels)', () => {
    const view = hostileView();
    const blocks = renderChecklist(view);
    expectSafe([...mrkdwnTexts(blocks), renderChecklistText(view)]);
    expect(JSON.stringify(blocks)).not.toContain('\\u202e');
  });

  it('renders the bot’s own mentions as mentions, never as &lt;@…&gt;', () => {
    const text = mrkdwnTexts(renderChecklist(hostileView())).join('\n');
    expect(text).toContain('Confirmed by <@U0SRE00001>: ');
    expect(text).toContain('Skipped by <@U0CAPTAIN1>: ');
    expect(text).not.toMatch(/&lt;@U0(SRE|CAPTAIN)/);
    const refused = formatThreadLine(
      ev(
        'action_refused',
        { action: 'approve', reason: `only the Release Captain may approve. Ask ${mentionOf(CAPTAIN)}.` },
        'resolve',
      ),
    );
    expect(refused).toContain('Ask <@U0CAPTAIN1>.');
  });

  it('thread lines of every kind, and the milestones among them', () => {
    const events = hostileEvents();
    expectSafe(events.map((e) => formatThreadLine(e)));
    expect(events.filter(isMilestone).length).toBeGreaterThan(3);
    expectSafe(events.filter(isMilestone).map((e) => formatThreadLine(e)));
  });

  it('the resolve summary, as mrkdwn with no Markdown left in it', () => {
    const report = parseResolutionReport(JSON.parse(JSON.stringify(hostileReport())));
    expect(report).not.toBeNull();
    const text = renderResolutionMrkdwn(report!);
    expectSafe([
      text,
      formatThreadLine(ev('incident_resolved', { ttdMs: 1, ttrMs: 2, report: hostileReport() }, null, CAPTAIN)),
    ]);
    expect(text).not.toMatch(/^#{1,6} |\*\*|^\|/m);
    expect(text).toContain('skipped by <@U0CAPTAIN1>: ');
  });

  it('the modals', () => {
    const modal = renderRollbackModal({
      environment: hostileView().environment,
      now: T0,
      badVersion: HOSTILE[0],
      targetVersion: HOSTILE[1],
      issueUrl: HOSTILE[4],
    });
    const filled = withProposal(modal, {
      targetVersion: HOSTILE[2]!,
      source: HOSTILE[3]!,
      disagreements: HOSTILE,
      problem: ALL,
    });
    const failed = withProposal(modal, { targetVersion: null, source: null, disagreements: [], problem: ALL });
    expectSafe([
      ...mrkdwnTexts(modal),
      ...mrkdwnTexts(filled),
      ...mrkdwnTexts(failed),
      ...mrkdwnTexts(renderSkipModal({ incidentId: 'inc_1', stepId: 'smoke_tests', version: 2 })),
    ]);
  });
});
