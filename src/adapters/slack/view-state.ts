/**
 * Reading a submitted modal's `view.state.values` and answering with field errors. Slack shows
 * `{ response_action: 'errors', errors: { <block_id>: message } }` under each input.
 */
import { z } from 'zod';

const stateValue = z
  .object({
    type: z.string().optional(),
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_date_time: z.number().nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();

export type ViewStateValue = z.infer<typeof stateValue>;
export type ViewStateValues = Record<string, Record<string, unknown>>;

export interface FieldErrors {
  response_action: 'errors';
  errors: Record<string, string>;
}

export type Submission<T> = { ok: true; value: T } | { ok: false; response: FieldErrors };

/** The value of input `id` (block_id = action_id, see action-ids.ts); empty for anything malformed. */
export function field(values: ViewStateValues | undefined, id: string): ViewStateValue {
  const parsed = stateValue.safeParse(values?.[id]?.[id]);
  return parsed.success ? parsed.data : {};
}

export function text(values: ViewStateValues | undefined, id: string): string | null {
  const v = field(values, id).value?.trim();
  return v ? v : null;
}

export function selected(values: ViewStateValues | undefined, id: string): string | null {
  return field(values, id).selected_option?.value ?? null;
}

/** A checkboxes input: whether the option `value` is ticked; null when the input was not in the view. */
export function ticked(values: ViewStateValues | undefined, id: string, value: string): boolean | null {
  const options = field(values, id).selected_options;
  return options ? options.some((o) => o.value === value) : null;
}

export function dateTime(values: ViewStateValues | undefined, id: string): Date | null {
  const seconds = field(values, id).selected_date_time;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
}

export function fieldErrors(errors: Record<string, string>): FieldErrors {
  return { response_action: 'errors', errors };
}
