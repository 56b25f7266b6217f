import { describe, expect, it } from 'vitest';
import {
  encodeButtonValue,
  parseButtonValue,
  STEP_ACTION_IDS,
  stepActionFromActionId,
} from '../../src/adapters/slack/action-ids.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { STEP_ACTIONS } from '../../src/domain/step-actions.ts';

describe('button values', () => {
  it('round-trips incident, step and the version the message was rendered at, as compact JSON', () => {
    const value = { incidentId: 'inc_7f3a', stepId: 'revert_images', version: 12 } as const;
    const encoded = encodeButtonValue(value);
    expect(encoded).toBe('{"incidentId":"inc_7f3a","stepId":"revert_images","version":12}');
    expect(parseButtonValue(encoded)).toEqual(value);
  });

  it.each([
    ['not JSON', 'revert_images', /not JSON/],
    ['missing', undefined, /not JSON/],
    ['unknown step', '{"incidentId":"i","stepId":"rm_rf","version":1}', /stepId/],
    ['negative version', '{"incidentId":"i","stepId":"announce","version":-1}', /version/],
    ['fractional version', '{"incidentId":"i","stepId":"announce","version":1.5}', /version/],
    ['empty incident', '{"incidentId":"","stepId":"announce","version":1}', /incidentId/],
    ['extra keys', '{"incidentId":"i","stepId":"announce","version":1,"admin":true}', /admin|unrecognized/i],
    ['an array', '[1,2,3]', /value|expected/i],
  ])('refuses a %s value with a message a user can act on', (_name, raw, why) => {
    let caught: unknown;
    try {
      parseButtonValue(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserFacingError);
    expect((caught as UserFacingError).code).toBe('invalid_input');
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).toContain('/rollback status');
  });
});

describe('action ids', () => {
  it('maps every step action to a distinct action_id and back', () => {
    const ids = STEP_ACTIONS.map((a) => STEP_ACTION_IDS[a]);
    expect(new Set(ids).size).toBe(STEP_ACTIONS.length);
    for (const action of STEP_ACTIONS) expect(stepActionFromActionId(STEP_ACTION_IDS[action])).toBe(action);
  });

  it('does not recognise other action ids', () => {
    expect(stepActionFromActionId('step_delete')).toBeNull();
    expect(stepActionFromActionId('xstep_run')).toBeNull();
    expect(stepActionFromActionId('')).toBeNull();
  });
});
