/**
 * When a person confirms verify_cutover, what the revert put in place becomes known-good — if it
 * still runs. A confirmation that cannot be recorded says why in the thread.
 */
import type { FlowDeps } from '../../deps.ts';
import { recordRestoredImages } from '../../known-good.ts';
import type { NewEvent } from '../../ports.ts';
import type { StepCommand } from '../../step-command.ts';

export async function recordConfirmedCutover(deps: FlowDeps, cmd: StepCommand): Promise<void> {
  const live = deps.deployments ? { deployments: deps.deployments, config: deps.config } : undefined;
  const snap = await deps.store.get(cmd.incidentId);
  const result = await recordRestoredImages(deps.store, snap, cmd.actor, deps.now(), live);
  if (result.recorded) return;
  const message = `Not recorded as known-good: ${result.reason}`;
  const event: NewEvent = {
    kind: 'step_progress',
    actor: 'rollback-commander',
    at: deps.now(),
    stepId: cmd.stepId,
    payload: { message },
  };
  await deps.store.append(cmd.incidentId, [event]);
}
