import { describe, expect, it } from 'vitest';
import { formatThreadLine, isMilestone, type ThreadEvent } from '../../src/adapters/slack/thread-lines.ts';
import { toTimelineBody } from '../../src/domain/timeline-events.ts';

const AT = new Date('2026-11-24T12:05:07Z');
// Built the way the store reads rows back, so a kind this build does not know becomes `unknown`.
const ev = (
  kind: string,
  payload: Record<string, unknown> = {},
  stepId: ThreadEvent['stepId'] = null,
  actor = 'U0SRE00001',
): ThreadEvent => ({
  ...toTimelineBody(kind, payload),
  stepId,
  actor,
  at: AT,
});

describe('formatThreadLine', () => {
  it.each<[string, ThreadEvent, string]>([
    [
      'incident started',
      ev('incident_started', {
        badVersion: 'v1.4.0',
        severity: 'P1',
        trigger: 'security_exposure',
        issueUrl: 'https://github.com/o/r/issues/9',
      }),
      '`12:05:07 UTC` :rotating_light: <@U0SRE00001> started a *P1* rollback of `v1.4.0` · Security exposure · <https://github.com/o/r/issues/9|o/r#9>',
    ],
    [
      'a drill started (issue 9 §4): marked in the first line',
      ev('incident_started', { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', drill: true }),
      '`12:05:07 UTC` :test_tube: *DRILL* — :rotating_light: <@U0SRE00001> started a *P1* drill rollback of `v1.2.3` · SLO breach (error rate, latency or auth failures)',
    ],
    [
      'queued',
      ev('step_queued', { attempt: 1 }, 'revert_images'),
      '`12:05:07 UTC` :hourglass_flowing_sand: *Revert container images* queued by <@U0SRE00001>',
    ],
    [
      'queued by autopilot, naming the approval behind it and not as if that person pressed Run',
      ev(
        'step_queued',
        {
          attempt: 1,
          automatic: true,
          autopilot: {
            after: { actor: 'U0CAPTAIN1', what: 'approved the target v1.3.2' },
            because: 'the revert succeeded',
          },
        },
        'verify_cutover',
        'autopilot',
      ),
      '`12:05:07 UTC` :robot_face: *Verify traffic cutover* started by autopilot (the revert succeeded), after <@U0CAPTAIN1> approved the target v1.3.2',
    ],
    [
      'queued again',
      ev('step_queued', { attempt: 2 }, 'revert_images'),
      '`12:05:07 UTC` :repeat: *Revert container images* queued again by <@U0SRE00001> (attempt 2)',
    ],
    [
      'started',
      ev('step_started', { attempt: 1 }, 'revert_images', 'worker'),
      '`12:05:07 UTC` :arrow_forward: *Revert container images* started',
    ],
    [
      'progress per Deployment',
      ev(
        'step_progress',
        {
          deployment: 'web',
          message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        },
        'revert_images',
        'worker',
      ),
      '`12:05:07 UTC` :small_blue_diamond: *Revert container images* · `web`: Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    ],
    [
      'succeeded',
      ev('step_succeeded', { summary: 'api, web, worker on v1.3.2' }, 'revert_images', 'worker'),
      '`12:05:07 UTC` :white_check_mark: *Revert container images* succeeded: api, web, worker on v1.3.2',
    ],
    [
      'failed with a hint',
      ev(
        'step_failed',
        {
          error: 'deployment web exceeded its progress deadline',
          hint: 'check the web pods (kubectl describe), then Retry',
        },
        'revert_images',
        'worker',
      ),
      '`12:05:07 UTC` :x: *Revert container images* failed: deployment web exceeded its progress deadline\n*Next:* check the web pods (kubectl describe), then Retry',
    ],
    [
      'approval',
      ev('approval_given', { role: 'database_owner' }, 'migration_revert', 'U0DBOWNER1'),
      '`12:05:07 UTC` :ballot_box_with_check: <@U0DBOWNER1> approved *Revert latest migration* as database owner',
    ],
    [
      'refusal',
      ev(
        'action_refused',
        { action: 'approve', reason: 'only the captain approves the target release' },
        'select_release',
        'U0STRANGER',
      ),
      '`12:05:07 UTC` :no_entry: <@U0STRANGER> pressed *Approve* on *Select last known-good release*: refused, only the captain approves the target release',
    ],
    [
      'skip',
      ev('step_skipped', { reason: 'v1.4.0 shipped no migrations' }, 'migration_revert', 'U0CAPTAIN1'),
      '`12:05:07 UTC` :fast_forward: *Revert latest migration* skipped by <@U0CAPTAIN1>: v1.4.0 shipped no migrations',
    ],
    [
      'abort',
      ev('step_aborted', {}, 'smoke_tests', 'U0CAPTAIN1'),
      '`12:05:07 UTC` :octagonal_sign: *Run smoke tests* aborted by <@U0CAPTAIN1>',
    ],
    [
      'target approved',
      ev('target_approved', { targetVersion: 'v1.3.2' }, 'select_release', 'U0CAPTAIN1'),
      '`12:05:07 UTC` :dart: Target release `v1.3.2` approved by <@U0CAPTAIN1>',
    ],
    [
      'restored',
      ev('app_restored', {}, null, 'worker'),
      '`12:05:07 UTC` :large_green_circle: Application restored: smoke tests, queue health and the auth check passed',
    ],
    [
      'resolved',
      ev('incident_resolved', { ttdMs: 360_000, ttrMs: 2_040_000 }, 'resolve', 'U0CAPTAIN1'),
      '`12:05:07 UTC` :checkered_flag: Incident resolved by <@U0CAPTAIN1> · TTD 6m · TTR 34m',
    ],
    [
      'incident aborted',
      ev('incident_aborted', { reason: 'false alarm' }, null, 'U0CAPTAIN1'),
      '`12:05:07 UTC` :octagonal_sign: Rollback aborted by <@U0CAPTAIN1>: false alarm',
    ],
  ])('%s', (_name, event, line) => {
    expect(formatThreadLine(event)).toBe(line);
  });

  it('tells the responder what to do next when a failure has no specific hint', () => {
    expect(formatThreadLine(ev('step_failed', { error: 'boom' }, 'pause_deploys'))).toContain(
      '*Next:* fix the cause, then press *Retry*',
    );
  });

  it('keeps a failure line readable when the error is huge', () => {
    const line = formatThreadLine(ev('step_failed', { error: 'E'.repeat(10_000) }, 'backup_restore'));
    expect(line.length).toBeLessThanOrEqual(3000);
    expect(line).toContain('E…\n*Next:*');
  });

  it('escapes what tools and people wrote, so nothing pings @channel', () => {
    expect(formatThreadLine(ev('step_skipped', { reason: '<!channel> & <@U0CAPTAIN1>' }, 'auth_check'))).toContain(
      '&lt;!channel&gt; &amp; &lt;@U0CAPTAIN1&gt;',
    );
  });

  it('still writes a line for an event kind it does not know', () => {
    expect(formatThreadLine(ev('captain_handed_over', {}, null, 'U0CAPTAIN1'))).toBe(
      '`12:05:07 UTC` :grey_question: captain handed over by <@U0CAPTAIN1>',
    );
  });
});

describe('isMilestone', () => {
  it('sends stakeholders the start, the target, the restore, the database outcome and the end', () => {
    const milestones = [
      ev('incident_started'),
      ev('target_approved', {}, 'select_release'),
      ev('app_restored'),
      ev('step_succeeded', {}, 'migration_revert'),
      ev('step_skipped', {}, 'backup_restore'),
      ev('incident_resolved'),
      ev('incident_aborted'),
    ];
    expect(milestones.filter(isMilestone)).toEqual(milestones);
  });

  it('keeps step chatter in the responders thread only', () => {
    const chatter = [
      ev('step_started', {}, 'revert_images'),
      ev('step_progress', {}, 'revert_images'),
      ev('step_succeeded', {}, 'revert_images'),
      ev('step_failed', {}, 'migration_revert'),
      ev('approval_given', {}, 'migration_revert'),
      ev('action_refused', {}, 'select_release'),
      ev('step_succeeded', {}, 'migration_scope'),
    ];
    expect(chatter.filter(isMilestone)).toEqual([]);
  });
});

describe('formatThreadLine with odd input', () => {
  it('treats an event kind named like an Object property as unknown', () => {
    expect(formatThreadLine(ev('constructor'))).toBe('`12:05:07 UTC` :grey_question: constructor by <@U0SRE00001>');
  });

  it('shows a non-Slack actor as written and a missing payload field as "?"', () => {
    expect(formatThreadLine(ev('target_approved', {}, 'select_release', 'cli:alice'))).toBe(
      '`12:05:07 UTC` :dart: Target release `?` approved by cli:alice',
    );
  });
});

describe('timer, retry and correction lines', () => {
  it('writes reminders, breaches with mentions, retries, resumes and corrections', () => {
    expect(
      formatThreadLine(
        ev(
          'sla_reminder',
          { milestone: 'decide', percent: 80, dueAt: '2026-11-24T12:10:00Z' },
          null,
          'rollback-commander',
        ),
      ),
    ).toBe('`12:05:07 UTC` :alarm_clock: 80% of the rollback decision budget is used — due 12:10:00 UTC');
    expect(
      formatThreadLine(
        ev(
          'sla_breached',
          { milestone: 'restore', dueAt: '2026-11-24T12:30:00Z', mention: ['U0CAPTAIN1', 'U0SRE00001'] },
          null,
          'rollback-commander',
        ),
      ),
    ).toBe(
      '`12:05:07 UTC` :rotating_light: SLA breached: the service restore was due at 12:30:00 UTC <@U0CAPTAIN1> <@U0SRE00001>',
    );
    expect(
      formatThreadLine(
        ev(
          'step_retrying',
          { error: 'GitHub answered 502', try: 1, maxTries: 3 },
          'pause_deploys',
          'rollback-commander',
        ),
      ),
    ).toContain('*Pause deploys* hit a temporary error (try 1 of 3), retrying: GitHub answered 502');
    expect(formatThreadLine(ev('step_resumed', { attempt: 1 }, 'revert_images', 'rollback-commander'))).toContain(
      '*Revert container images* resumed by a worker',
    );
    expect(formatThreadLine(ev('times_corrected', { field: 'detected_at', from: '12:00:00', to: '11:58:00' }))).toBe(
      '`12:05:07 UTC` :pencil2: <@U0SRE00001> corrected *detected_at* from 12:00:00 to 11:58:00',
    );
  });

  it('puts the summary under the resolved line as mrkdwn, not the Markdown kept for GitHub', () => {
    const report = {
      incident: {
        id: 'inc_1',
        environment: 'production',
        badVersion: 'v1.4.0',
        targetVersion: 'v1.3.2',
        severity: 'P1',
        critical: false,
        issueUrl: null,
      },
      times: {
        impactStartedAt: null,
        detectedAt: '2026-11-24T12:00:00.000Z',
        decidedAt: null,
        restoredAt: null,
        resolvedAt: '2026-11-24T12:21:00.000Z',
      },
      durations: { ttdMs: 360_000, decideMs: null, ttrMs: 1_260_000, impactMs: null },
      sla: [{ milestone: 'restore', budgetMs: 1_800_000, verdict: 'met', tookMs: 1_260_000, reached: true }],
      pausedMs: null,
      pause: 'not_paused',
      images: [],
      steps: [
        {
          stepId: 'resolve',
          title: 'Update incident with TTD and TTR',
          state: 'succeeded',
          ranBy: 'U0CAPTAIN1',
          approvedBy: [],
          doneBy: null,
          note: null,
        },
      ],
    };
    const payload = { ttdMs: 360_000, ttrMs: 1_260_000, summary: '### Rollback …\n| Impact started |', report };
    const line = formatThreadLine(ev('incident_resolved', payload, null, 'U0CAPTAIN1'));
    expect(line).toContain(
      'Incident resolved by <@U0CAPTAIN1> · TTD 6m · TTR 21m\n*Rollback `v1.4.0` → `v1.3.2` in production: resolved*',
    );
    expect(line).toContain('\n*SLAs*\n• Service restored within 30m: met (21m)');
    expect(line).toContain('• ✅ Update incident with TTD and TTR — succeeded · run by <@U0CAPTAIN1>');
    expect(line).not.toMatch(/###|\*\*|\|/);
  });
});

describe('the restored line', () => {
  it('says which validation steps were skipped and why', () => {
    const line = formatThreadLine(
      ev(
        'app_restored',
        { ttrMs: 1_260_000, skipped: [{ stepId: 'auth_check', summary: 'no auth change in this release' }] },
        null,
        'rollback-commander',
      ),
    );
    expect(line).toBe(
      '`12:05:07 UTC` :large_green_circle: Application restored · TTR 21m: validation passed, but skipped: *Validate RLS/auth flows* (no auth change in this release)',
    );
    expect(formatThreadLine(ev('app_restored', { ttrMs: 60_000, skipped: [] }, null, 'x'))).toContain(
      'smoke tests, queue health and the auth check passed',
    );
  });
});
