/**
 * rollback.yml `gitops:` (issue 11): the guard that pauses Argo CD / Flux before revert_images
 * and hands them back in resume_deploys. On whenever a controller is detected; turning it off
 * takes a stated reason, shown in the checklist.
 */
import { z } from 'zod';

const labelKey = z
  .string()
  .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a label key, like app.kubernetes.io/instance');
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes name is lower-case letters, digits and "-"');

export const gitopsConfigSchema = z
  .object({
    /** false turns the guard off (revert_images then patches under an active controller); needs `reason`. */
    guard: z.boolean().default(true),
    reason: z.string().trim().min(1).optional(),
    /** Argo CD's tracking label (application.instanceLabelKey in argocd-cm), when it tracks by label. */
    tracking_label: labelKey.default('app.kubernetes.io/instance'),
    argocd: z
      .object({
        /** Where the Applications live (Argo CD's namespace). */
        namespace: k8sName.default('argocd'),
        /** The kubeconfig context of the cluster Argo CD runs in, when it is not the app's. */
        context: z.string().min(1).optional(),
        /** images: patch the Deployments (default); sync_revision: sync the Application to the target's Git revision. */
        rollback: z.enum(['images', 'sync_revision']).default('images'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (!g.guard && !g.reason) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message:
          'gitops.guard: false needs a reason (shown in the checklist), like reason: "Argo CD is managed by the platform team; they pause it by hand"',
      });
    }
    if (g.guard && g.reason) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'gitops.reason only goes with guard: false: remove it, or set guard: false',
      });
    }
  });

export type GitOpsConfig = z.output<typeof gitopsConfigSchema>;
