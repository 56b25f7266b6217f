/**
 * `kubectl rollout status` for a Deployment, as a pure function (kubectl's
 * `DeploymentStatusViewer.Status` in polymorphichelpers/rollout_status.go). The rules, their
 * order and the wording are kubectl's so an SRE sees the same lines they would in a terminal.
 *
 * The shape is the minimum the rules read; a client-node `V1Deployment` fits it as is.
 */
export interface RolloutDeployment {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; reason?: string }[];
  };
}

export interface RolloutStatus {
  /** Every replica runs the new template and is available: stop waiting, it worked. */
  done: boolean;
  /** The controller gave up (progress deadline exceeded): stop waiting, it did not work. */
  failed: boolean;
  /** kubectl's line for this state, without its trailing newline. */
  message: string;
}

/** The deployment controller's reason on the Progressing condition when progressDeadlineSeconds passed. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export function rolloutStatus(deployment: RolloutDeployment): RolloutStatus {
  const name = deployment.metadata?.name ?? '';
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  // Until the controller has seen the latest spec, every other field describes the previous one.
  if (generation > (status.observedGeneration ?? 0)) {
    return waiting('Waiting for deployment spec update to be observed...');
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const prefix = `Waiting for deployment "${name}" rollout to finish:`;
  // kubectl skips this rule when spec.replicas is unset (the API server always defaults it).
  const desired = deployment.spec?.replicas;
  if (desired !== undefined && updated < desired) {
    return waiting(`${prefix} ${updated} out of ${desired} new replicas have been updated...`);
  }
  if (total > updated) {
    return waiting(`${prefix} ${total - updated} old replicas are pending termination...`);
  }
  if (available < updated) {
    return waiting(`${prefix} ${available} of ${updated} updated replicas are available...`);
  }
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}

function waiting(message: string): RolloutStatus {
  return { done: false, failed: false, message };
}
