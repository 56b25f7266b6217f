/**
 * Compares a Deployment's live pod template with the images the bot set. While the bot waits
 * for its rollout, a difference means someone else changed the Deployment: following their
 * rollout would report their image as ours, so the wait stops at once and names who did it.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { OutsideChangeError } from '../../domain/errors.ts';
import type { ContainerImage } from '../../flows/ports.ts';
import { imageSetBy } from './k8s-managed-fields.ts';

export function outsideChange(
  deployment: V1Deployment,
  expected: ContainerImage[],
  namespace: string,
): OutsideChangeError | undefined {
  const name = deployment.metadata?.name ?? '';
  const live = deployment.spec?.template?.spec?.containers ?? [];
  const managed = deployment.metadata?.managedFields;
  const differences: string[] = [];
  for (const want of expected) {
    const found = live.find((c) => c.name === want.container);
    if (!found) differences.push(`container "${want.container}" was removed`);
    else if (found.image !== want.image) {
      const who = imageSetBy(managed, want.container);
      differences.push(
        `container "${want.container}" runs ${found.image ?? '(no image)'}, not ${want.image} as the bot set it ` +
          (who
            ? `(changed by ${who}, per the Deployment's managedFields)`
            : "(the Deployment's managedFields don't say who changed it)"),
      );
    }
  }
  for (const extra of live.filter((c) => !expected.some((e) => e.container === c.name))) {
    differences.push(`container "${extra.name}" (${extra.image ?? 'no image'}) was added`);
  }
  if (differences.length === 0) return undefined;
  return new OutsideChangeError(
    `deployment ${namespace}/${name} was changed by someone else during the revert: ${differences.join('; ')}. ` +
      'The revert is not in effect, so the bot stopped waiting for this rollout: find out who changed it and why ' +
      `(kubectl -n ${namespace} get deployment/${name} --show-managed-fields -o yaml), stop that change, ` +
      'then Retry revert_images to set the target again',
  );
}
