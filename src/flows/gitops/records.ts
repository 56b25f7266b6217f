/**
 * What the GitOps guard keeps in the steps' outputs, as schemas: a checkpoint is read back with
 * `.parse`, so a record from another version fails loudly instead of being trusted half-read.
 */
import { z } from 'zod';

const automated = z
  .object({
    prune: z.boolean().optional(),
    selfHeal: z.boolean().optional(),
    allowEmpty: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .loose()
  .nullable();
const base = { namespace: z.string(), name: z.string(), deployments: z.array(z.string()) };
const paused = { pausedByUs: z.boolean(), done: z.boolean(), revisionAtPause: z.string().optional() };

export const gitopsPauseEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('argocd'), ...base, ...paused, prior: automated, targetRevision: z.string().optional() }),
  z.object({
    kind: z.enum(['flux-kustomization', 'flux-helmrelease']),
    ...base,
    ...paused,
    prior: z.boolean().nullable(),
  }),
  z.object({ kind: z.literal('helm'), ...base }),
]);

export const gitopsPauseRecordSchema = z.object({
  guard: z.enum(['on', 'off']),
  reason: z.string().optional(),
  entries: z.array(gitopsPauseEntrySchema),
  detected: z.array(z.string()),
});

export const gitopsResumeRecordSchema = z.object({ restored: z.array(z.string()), held: z.array(z.string()) });

export const argocdSyncStateSchema = z.record(z.string(), z.object({ revision: z.string() }));

/** The record, parsed; undefined when the output has none. */
export function readRecord<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  return value === undefined ? undefined : schema.parse(value);
}
