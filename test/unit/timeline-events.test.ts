import { describe, expect, it } from 'vitest';
import { formatThreadLine } from '../../src/adapters/slack/thread-lines.ts';
import { isTimelineKind, storedKind, TIMELINE_KINDS, toTimelineBody } from '../../src/domain/timeline-events.ts';
import { describeEvent } from '../../src/flows/export-timeline.ts';

const AT = new Date('2026-11-24T12:05:07Z');

describe('timeline events read back from the database', () => {
  it('keeps a known kind and its payload', () => {
    const body = toTimelineBody('step_failed', { error: 'boom', hint: 'retry' });
    expect(body).toEqual({ kind: 'step_failed', payload: { error: 'boom', hint: 'retry' } });
  });

  it('turns a kind this build does not know into `unknown`, keeping what was stored', () => {
    const body = toTimelineBody('handover_requested', { to: 'U1' });
    expect(body).toEqual({ kind: 'unknown', storedKind: 'handover_requested', payload: { to: 'U1' } });
    expect(storedKind(body)).toBe('handover_requested');
  });

  it('reads a payload that is not an object as an empty one', () => {
    expect(toTimelineBody('step_progress', null).payload).toEqual({});
    expect(toTimelineBody('step_progress', ['x']).payload).toEqual({});
  });

  it('shows an unknown kind as a generic line in Slack and the export instead of failing', () => {
    const e = {
      id: 1,
      incidentId: 'rb-1',
      at: AT,
      actor: 'U0SRE00001',
      stepId: null,
      ...toTimelineBody('handover_requested', {}),
    };
    expect(formatThreadLine(e)).toBe('`12:05:07 UTC` :grey_question: handover requested by <@U0SRE00001>');
    expect(describeEvent(e)).toBe('handover requested');
  });

  it('knows every kind the union lists, and nothing else', () => {
    expect(TIMELINE_KINDS).toHaveLength(22);
    expect(TIMELINE_KINDS.every(isTimelineKind)).toBe(true);
    expect(isTimelineKind('unknown')).toBe(false);
  });
});
