/**
 * Reading another step's output through that step's schema (`steps/<step_id>/output.ts`): the
 * schema is the contract between the step that writes the output and the ones that read it, and
 * it is checked where it is read instead of being assumed with a cast.
 */
import type { z } from 'zod';
import { AppError } from '../../../domain/errors.ts';
import type { StepId } from '../../../domain/steps.ts';

export function readOutput<S extends z.ZodType>(stepId: StepId, schema: S, output: unknown): z.output<S> {
  const parsed = schema.safeParse(output ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(output)'}: ${i.message}`).join('; ');
    throw new AppError('internal', `the ${stepId} step's output is not in the shape its schema says (${issues})`);
  }
  return parsed.data;
}
