/**
 * The runbook config (rollback.yml). Schema first: the TypeScript type is derived from it.
 * No secret ever sits in YAML: the file names the env vars that hold them.
 */
import ms from 'ms';
import { z } from 'zod';
import { autopilotConfigSchema } from './autopilot.ts';
import { databaseConfigSchema } from './database.ts';
import { duration } from './duration.ts';
import { gitopsConfigSchema } from './gitops.ts';
import { validationConfigSchema } from './validation.ts';

/** "5m", "30s", "2h", "500ms" → milliseconds (duration.ts, shared with the sections mounted here). */

/** Why `pattern` does not compile as a RegExp, or '' when it does. */
function regexError(pattern: string): string {
  try {
    new RegExp(pattern);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id looks like U012ABCDEF (profile → ⋮ → Copy member ID)');
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id looks like S012ABCDEF');
const slackChannelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id looks like C012ABCDEF (channel details → bottom of the About tab)');
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes name is lower-case letters, digits and "-"');
const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name is upper-case letters, digits and "_"');

const roleMembers = z
  .object({
    users: z.array(slackUserId).default([]),
    usergroups: z.array(slackGroupId).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    environment: z
      .object({
        name: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, 'an environment name is lower-case letters, digits and "-", like production'),
        kube: z
          .object({
            context: z.string().min(1).optional(),
            namespace: k8sName,
            /** How long one API call retries 5xx/429/connection errors (backoff) before a step sees them. */
            retry_budget: duration.default(ms('30s')),
          })
          .strict(),
      })
      .strict(),
    deployments: z
      .array(
        z
          .object({
            name: k8sName,
            container: k8sName,
            image: z
              .string()
              .regex(/^[a-z0-9.\-_/:]+$/, 'an image repository without tag, like ghcr.io/valuecanvas/app'),
          })
          .strict(),
      )
      .min(1, 'list at least one Deployment to roll back'),
    rollout: z
      .object({ timeout: duration.default(ms('5m')) })
      .strict()
      .default({ timeout: ms('5m') }),
    github: z
      .object({
        owner: z.string().min(1),
        repo: z.string().min(1),
        deploy_workflows: z.array(z.string().min(1)).min(1, 'name the deploy workflow file, like deploy.yml'),
        default_branch: z.string().min(1).default('main'),
        /** Only tags that match this pattern count as releases. */
        tag_pattern: z
          .string()
          .default('^v\\d+\\.\\d+\\.\\d+$')
          // Compiled now, not at the first /rollback: a broken pattern would only show mid-incident.
          .superRefine((p, ctx) => {
            const problem = regexError(p);
            if (problem)
              ctx.addIssue({
                code: 'custom',
                message: `"${p}" is not a valid regular expression (${problem}): write one like '^v\\d+\\.\\d+\\.\\d+$' (YAML: single quotes keep the backslashes)`,
              });
          }),
      })
      .strict(),
    slack: z
      .object({
        channels: z.object({ incidents: slackChannelId, releases: slackChannelId }).strict(),
        usergroup_cache: duration.default(ms('5m')),
      })
      .strict(),
    roles: z
      .object({
        release_captain: roleMembers,
        oncall_sre: roleMembers,
        database_owner: roleMembers.default({ users: [], usergroups: [] }),
      })
      .strict(),
    sla: z
      .object({
        P1: z
          .object({ decide: duration.default(ms('10m')), restore: duration.default(ms('30m')) })
          .strict()
          .default({ decide: ms('10m'), restore: ms('30m') }),
        P2: z
          .object({ restore: duration.default(ms('2h')) })
          .strict()
          .default({ restore: ms('2h') }),
      })
      .strict()
      .default({ P1: { decide: ms('10m'), restore: ms('30m') }, P2: { restore: ms('2h') } }),
    target: z
      .object({
        redis_url_env: envVarName.default('TARGET_REDIS_URL'),
        database_url_env: envVarName.default('TARGET_DATABASE_URL'),
        backlog_key: z.string().min(1).default('agent:pending'),
      })
      .strict()
      .default({
        redis_url_env: 'TARGET_REDIS_URL',
        database_url_env: 'TARGET_DATABASE_URL',
        backlog_key: 'agent:pending',
      }),
    verify: z
      .object({
        grafana_url: z.url(),
        prometheus: z
          .object({
            url: z.url(),
            query: z.string().min(1),
            threshold: z.number().nonnegative(),
            hold: duration.default(ms('2m')),
            interval: duration.default(ms('15s')),
          })
          .strict()
          .optional(),
      })
      .strict(),
    /** Post-rollback validation: smoke tests, queue health, auth probes (validation.ts). */
    validation: validationConfigSchema.prefault({}),
    /** Database rollback: migrations, revert, backups, restore, promotion (database.ts). Optional: without it the database steps say what to add. */
    database: databaseConfigSchema.optional(),
    /** Argo CD / Flux / Helm awareness (gitops.ts): the guard is on whenever a controller is detected. */
    gitops: gitopsConfigSchema.prefault({}),
    /** Steps that start by themselves (autopilot.ts); all on by default. */
    autopilot: autopilotConfigSchema,
    /**
     * Who may act as whom from the CLI: OS user name → the Slack user ids `--as` may name. Without
     * it `--as` is taken on trust (and every CLI command says so).
     */
    cli: z
      .object({
        identities: z.record(
          z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'an OS user name, like alice'),
          z.array(slackUserId).min(1, 'list the Slack user ids this OS user may act as'),
        ),
      })
      .strict()
      .optional(),
    queue: z
      .object({
        attempts: z.number().int().min(1).max(20).default(3),
        /** Steps one worker runs at once: steps mostly wait on Kubernetes, GitHub and Slack, so many fit. */
        concurrency: z.number().int().min(1).max(200).default(16),
        backoff: duration.default(ms('2s')),
        lock_duration: duration.default(ms('30s')),
        /** How long a running step waits for the bot's own Postgres to come back before giving up. */
        database_wait: duration.default(ms('60s')),
      })
      .strict()
      .default({ attempts: 3, concurrency: 16, backoff: ms('2s'), lock_duration: ms('30s'), database_wait: ms('60s') }),
  })
  .strict();

export type RunbookConfig = z.output<typeof configSchema>;
export type DeploymentConfig = RunbookConfig['deployments'][number];
