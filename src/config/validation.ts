/**
 * The `validation:` section of rollback.yml: how the runbook's "Post-Rollback Validation" runs —
 * the smoke tests (a workflow to dispatch, or an argv command), the queue health threshold, and
 * the RLS/auth probes. Probe headers name env vars: no secret ever sits in the YAML.
 */
import ms from 'ms';
import { z } from 'zod';

// Local on purpose: schema.ts imports this file, so importing its `duration` back would be a cycle.
const duration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write it like 30s, 5m or 2h` });
    return z.NEVER;
  }
  return parsed;
});
const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name is upper-case letters, digits and "_"');

const smokeSchema = z
  .object({
    /** The workflow file to dispatch (workflow_dispatch), like smoke.yml. */
    workflow: z.string().min(1).optional(),
    /** Branch or tag to run it on; default github.default_branch. */
    ref: z.string().min(1).optional(),
    /** workflow_dispatch inputs: the runbook's `--env production`. */
    inputs: z.record(z.string(), z.string()).default({}),
    /** Instead of a workflow: an argv command (no shell), e.g. [npm, run, test:smoke, --, --env, production]. */
    command: z.array(z.string().min(1)).min(1).optional(),
    /** Variables the command gets from the bot's environment besides PATH. */
    env: z.array(envVarName).default([]),
    /** The whole smoke run (workflow or command) fails after this long. */
    timeout: duration.default(ms('30m')),
    /** How often the workflow run is polled. */
    poll_interval: duration.default(ms('15s')),
    /** How long to look for the run the dispatch started before giving up. */
    discovery_timeout: duration.default(ms('2m')),
  })
  .strict()
  .refine((s) => !(s.workflow && s.command), { message: 'set either workflow or command, not both' });

const probeSchema = z
  .object({
    name: z.string().min(1),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    url: z.url(),
    /** Header name → the env var holding its value (e.g. Authorization: AUTH_CHECK_USER_BEARER). */
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name is letters, digits and "-"'), envVarName)
      .default({}),
    /** e.g. 401 for an anonymous request, 200 for a test user. */
    expected_status: z.number().int().min(100).max(599),
  })
  .strict();

export const validationConfigSchema = z
  .object({
    /** Without workflow or command, a person runs the smoke tests and confirms. */
    smoke: smokeSchema.prefault({}),
    queue_health: z
      .object({
        /** Healthy when LLEN of target.backlog_key is under this… */
        threshold: z.number().int().nonnegative().default(1000),
        /** …or when it keeps draining over this window, sampled every `interval`. */
        window: duration.default(ms('1m')),
        interval: duration.default(ms('10s')),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        probes: z.array(probeSchema).default([]),
        /** Per probe request. */
        timeout: duration.default(ms('10s')),
        /** Linked when there are no probes or one fails: a repo path (on the default branch) or a URL. */
        troubleshooting_doc: z.string().min(1).default('docs/ops/troubleshooting/rls-failures.md'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ValidationConfig = z.output<typeof validationConfigSchema>;
export type AuthProbeConfig = ValidationConfig['auth']['probes'][number];
