/**
 * Reading a step's output through its schema (`steps/<step_id>/output.ts`), and a planned step's
 * approved plan through its plan schema (`steps/<step_id>/plan.ts`): the schema is the contract
 * between the code that writes the record and the code that reads it — another step, or the same
 * step on a re-run after a crash — and it is checked where it is read instead of assumed with a cast.
 */
import type { z } from 'zod';
import { AppError } from '../../../domain/errors.ts';
import type { StepId } from '../../../domain/steps.ts';

export function readOutput<S extends z.ZodType>(stepId: StepId, schema: S, output: unknown): z.output<S> {
  return readAs(stepId, 'output', schema, output ?? {});
}

/** The plan two people approved: one that does not parse is never applied. */
export function readPlan<S extends z.ZodType>(stepId: StepId, schema: S, plan: unknown): z.output<S> {
  return readAs(stepId, 'plan', schema, plan);
}

function readAs<S extends z.ZodType>(stepId: StepId, what: 'output' | 'plan', schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || `(${what})`}: ${i.message}`).join('; ');
    throw new AppError('internal', `the ${stepId} step's ${what} is not in the shape its schema says (${issues})`);
  }
  return parsed.data;
}
