/** Options and argument parsers shared by the CLI's commands. */
import { InvalidArgumentError, Option } from 'commander';
import { UserFacingError } from '../../domain/errors.ts';
import { isStepId, STEP_IDS, type StepId } from '../../domain/steps.ts';
import { DOCTOR_GROUPS, type DoctorGroup } from '../doctor-groups.ts';
import type { CliIo } from './io.ts';

export const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

export const asOption = (io: CliIo) =>
  new Option('--as <user>', 'Slack user id you act as (default: $ROLLBACK_AS)').default(io.env.ROLLBACK_AS);

/** A command's `--help` examples. */
export const examples = (...lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ rollback-commander ${l}`).join('\n')}`;

/** Examples followed by the step ids, for the commands that take a step. */
export const stepExamples = (...lines: string[]) =>
  `${examples(...lines)}\n\nSteps (in runbook order):\n  ${STEP_IDS.join('\n  ')}`;

export function stepArg(value: string): StepId {
  if (!isStepId(value)) {
    throw new UserFacingError('invalid_input', `unknown step "${value}": one of ${STEP_IDS.join(', ')}`);
  }
  return value;
}

export function concurrencyArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 200) {
    throw new InvalidArgumentError('use a whole number of parallel steps from 1 to 200, like --concurrency 16');
  }
  return n;
}

export function groupsArg(value: string): DoctorGroup[] {
  const groups = value
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const bad = groups.filter((g) => !(DOCTOR_GROUPS as readonly string[]).includes(g));
  if (bad.length || !groups.length) {
    throw new InvalidArgumentError(
      `unknown check group ${bad.join(', ') || '(none)'}: use some of ${DOCTOR_GROUPS.join(',')}, like --only db,redis`,
    );
  }
  return groups as DoctorGroup[];
}

export function dateArg(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new UserFacingError('invalid_input', `"${value}" is not a time: use ISO 8601, like 2026-11-24T03:12:00Z`);
  }
  return d;
}
