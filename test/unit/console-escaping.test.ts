/**
 * A hostile HTML corpus through the console's pages: whatever people or tools wrote (versions,
 * reasons, errors, progress lines, issue links, environment names) comes out as text — no element,
 * attribute or script of theirs survives — and the console shows what Slack's checklist shows,
 * because both render the one checklist model.
 */

import { describe, expect, it } from 'vitest';
import { renderChecklist } from '../../src/adapters/slack/checklist-blocks.ts';
import { incidentList } from '../../src/console/console-pages.ts';
import { liveRegion } from '../../src/console/incident-page.ts';
import type { IncidentView } from '../../src/console/incident-view.ts';
import { checklistModel } from '../../src/domain/checklist-model.ts';
import type { TimelineEvent } from '../../src/domain/incident.ts';
import { toTimelineBody } from '../../src/domain/timeline-events.ts';
import { mentionOf } from '../../src/domain/user-text.ts';
import { describeEvent } from '../../src/flows/export-timeline.ts';
import {
  at,
  CAPTAIN,
  done,
  makeIncident,
  makeSteps,
  midRolloutWithFailure,
  ROLES_IN_CONFIG,
  SRE,
} from '../support/slack-fixtures.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "' onmouseover='alert(4)",
  '</pre></li><a href="javascript:alert(5)">x</a>',
  '<!-- --><iframe src=//evil.example>',
];
const ALL = HOSTILE.join(' | ');

/** The tags the console writes itself; any other tag in the output came from user text. */
const OWN_TAGS = new Set([
  'section',
  'h1',
  'h2',
  'p',
  'dl',
  'div',
  'dt',
  'dd',
  'code',
  'small',
  'em',
  'span',
  'b',
  'button',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'ul',
  'ol',
  'li',
  'pre',
  'time',
]);

/**
 * User text can only reach the output escaped, so every `<…>` left is a tag the console wrote:
 * each must be one of its own tags with well-formed, double-quoted attributes, none an event
 * handler, and every link a path or an https URL.
 */
function expectNoInjection(html: string): void {
  expect(html).not.toContain('<!--');
  for (const [whole] of html.matchAll(/<[^>]*>/g)) {
    const tag = /^<\/?([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*>$/.exec(whole);
    expect(tag, `malformed or foreign markup: ${whole}`).not.toBeNull();
    expect(OWN_TAGS, whole).toContain(tag![1]);
    for (const [, name, value] of tag![2]!.matchAll(/([a-z][a-z0-9-]*)(?:="([^"]*)")?/g)) {
      expect(name, whole).not.toMatch(/^on/);
      if (name === 'href') expect(value, whole).toMatch(/^(\/|https:\/\/)/);
    }
  }
}

function hostileView(): IncidentView {
  const incident = makeIncident({
    badVersion: HOSTILE[0]!,
    targetVersion: HOSTILE[1]!,
    targetSource: HOSTILE[2]!,
    issueUrl: `javascript:${HOSTILE[3]}`,
  });
  const steps = makeSteps(incident.id, {
    pause_deploys: done(0, 1, SRE, ALL),
    capture_context: { state: 'failed', error: ALL, actor: SRE, startedAt: at(1), finishedAt: at(2) },
    revert_images: { state: 'running', actor: HOSTILE[4]!, startedAt: at(2) },
    smoke_tests: {
      state: 'skipped',
      summary: `Skipped by ${mentionOf(CAPTAIN)}: ${ALL}`,
      actor: CAPTAIN,
      finishedAt: at(4),
    },
  });
  const events: TimelineEvent[] = [
    {
      id: 1,
      incidentId: incident.id,
      at: at(1),
      actor: HOSTILE[5]!,
      kind: 'step_skipped',
      stepId: 'smoke_tests',
      payload: { reason: ALL },
    },
    {
      id: 2,
      incidentId: incident.id,
      at: at(2),
      actor: 'rollback-commander',
      kind: 'step_progress',
      stepId: 'revert_images',
      payload: { message: ALL },
    },
    { id: 3, incidentId: incident.id, at: at(3), actor: SRE, stepId: null, ...toTimelineBody(HOSTILE[0]!, {}) },
  ];
  return {
    snapshot: { incident, steps: new Map(steps.map((s) => [s.stepId, s])), approvals: [] },
    phases: checklistModel({ incident, steps, approvals: [] }),
    thread: events.map((e) => ({
      id: e.id,
      at: e.at,
      actor: e.actor,
      kind: e.kind,
      stepId: e.stepId,
      text: describeEvent(e),
      progress: e.kind === 'step_progress',
    })),
    durations: { ttdMs: null, decideMs: null, ttrMs: null, impactMs: null },
    sla: [{ milestone: 'decide', budgetMs: 600_000, dueAt: at(10), metAt: null, verdict: 'pending', tookMs: 0 }],
    roles: { ...ROLES_IN_CONFIG, oncall_sre: [HOSTILE[2]!] },
    environment: { name: HOSTILE[4]!, kubeContext: HOSTILE[5], namespace: HOSTILE[3]! },
    autopilot: `Autopilot next: Revert container images, waiting for ${HOSTILE[0]}.`,
    now: at(5),
  };
}

describe('the console pages', () => {
  it('show every hostile string as text, in both modes', async () => {
    for (const mode of ['drill', 'read-only'] as const) {
      const html = (await liveRegion(hostileView(), mode)).toString();
      expectNoInjection(html);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
      expect(html).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;');
      // A stored issue link that is not https is text, never an href.
      expect(html).not.toMatch(/href="javascript/);
    }
    const list = (await incidentList([hostileView().snapshot.incident])).toString();
    expectNoInjection(list);
  });

  it('show the same states and buttons as Slack’s checklist, from the one model', async () => {
    const view = midRolloutWithFailure();
    const slackButtons = JSON.stringify(renderChecklist(view)).match(/"action_id":"step_[a-z]+"/g) ?? [];
    const incident = view.incident;
    const html = (
      await liveRegion(
        {
          ...hostileView(),
          snapshot: { incident, steps: new Map(view.steps.map((s) => [s.stepId, s])), approvals: view.approvals },
          phases: checklistModel(view),
          thread: [],
        },
        'drill',
      )
    ).toString();
    const consoleButtons = html.match(/data-action="(run|retry|approve|confirm|skip|abort)" data-step/g) ?? [];
    expect(consoleButtons.length).toBe(slackButtons.length);
    expect(consoleButtons.length).toBeGreaterThan(0);
    for (const s of view.steps) expect(html).toContain(`data-step="${s.stepId}" data-state="${s.state}"`);
  });
});
