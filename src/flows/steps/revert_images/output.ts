/** What revert_images records; verify_cutover and the known-good record (flows/known-good.ts) read `after`. */
import { z } from 'zod';

const images = z.record(z.string(), z.string());

export const revertImagesOutputSchema = z.looseObject({
  /** Deployment → the image it ran before the revert. */
  before: images.optional(),
  /** Deployment → the image the revert set (pinned to a digest when the history had one). */
  after: images.optional(),
  /** Deployments this step patched (checkpointed one by one). */
  patched: z.array(z.string()).optional(),
  /** Deployments that already ran the target. */
  unchanged: z.array(z.string()).optional(),
  digests: z.record(z.string(), z.string().nullable()).optional(),
});
export type RevertImagesOutput = z.output<typeof revertImagesOutputSchema>;
