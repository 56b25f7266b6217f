/**
 * select_release's approval comes after its run: the captain accepts (or overrides) the proposed
 * target release. The rule lives here, with the step; step-commands.ts calls it for any step whose
 * approval is `after_run`.
 */
import type { Incident, StepRecord } from '../../../domain/incident.ts';
import { advance } from '../../../domain/step-machine.ts';
import { mentionOf } from '../../../domain/user-text.ts';
import type { FlowDeps } from '../../deps.ts';
import { taintedWarning } from '../../known-good.ts';
import type { NewEvent, StepJob } from '../../ports.ts';
import type { Decide, StepCommand } from '../../step-command.ts';
import { readOutput } from '../_shared/step-output.ts';
import { selectReleaseOutputSchema } from './output.ts';

export function approveTarget(
  deps: FlowDeps,
  cmd: StepCommand & { target?: string },
  incident: Incident,
  record: StepRecord,
): ReturnType<Decide<{ complete: boolean; applying?: StepJob }>> {
  const output = readOutput('select_release', selectReleaseOutputSchema, record.output);
  const proposal = output.proposal;
  const valid = output.validTargets ?? [];
  const target = cmd.target ?? proposal?.version;
  if (!target)
    return {
      ok: false,
      code: 'invalid_input',
      reason: 'there is no proposed target: name one with `--to <tag>` (or pick it in the modal)',
    };
  // A version an earlier incident rolled back away from is approvable only by naming it, and says so.
  const taintedBy = cmd.target ? output.taintedTargets?.[target] : undefined;
  if (!valid.includes(target) && !taintedBy) {
    return {
      ok: false,
      code: 'invalid_input',
      reason: `${target} is not a release this cluster or repo knows (${valid.slice(0, 8).join(', ') || 'none found'}): pick one of those`,
    };
  }
  const now = deps.now();
  const chosen =
    cmd.target && cmd.target !== proposal?.version
      ? `chosen by ${mentionOf(cmd.actor)}`
      : (proposal?.source ?? 'unknown');
  const source = taintedBy && !valid.includes(target) ? `${chosen}; ${taintedWarning(target, taintedBy)}` : chosen;
  const next = advance(record, 'approve', now, cmd.actor, { summary: `Target ${target} approved (${source})` });
  const events: NewEvent[] = [
    {
      kind: 'approval_given',
      actor: cmd.actor,
      at: now,
      stepId: record.stepId,
      payload: { role: 'release_captain', remaining: [] },
    },
    {
      kind: 'target_approved',
      actor: cmd.actor,
      at: now,
      stepId: record.stepId,
      payload: { targetVersion: target, badVersion: incident.badVersion, source },
    },
  ];
  return {
    ok: true,
    value: { complete: true },
    events,
    mutation: { steps: [next], incident: { targetVersion: target, targetSource: source, decidedAt: now } },
  };
}
