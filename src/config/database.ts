/**
 * The optional `database:` section of rollback.yml: how to find the app database's migrations,
 * how to revert one, where the backups are and how a restored copy is validated and promoted.
 * Like the rest of the config it never holds a secret: it names the env vars that do.
 */
import ms from 'ms';
import { z } from 'zod';
import { duration } from './duration.ts';

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name is upper-case letters, digits and "_"');
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes name is lower-case letters, digits and "-"');
// Identifiers are quoted when used, but a plain pattern keeps typos (spaces, dots) out of SQL.
const sqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'a SQL identifier is letters, digits and "_", like schema_migrations');
const qualifiedTable = z
  .string()
  .regex(
    /^([A-Za-z_][A-Za-z0-9_$]{0,62}\.)?[A-Za-z_][A-Za-z0-9_$]{0,62}$/,
    'a table is written like orgs or public.orgs',
  );
const repoDir = z
  .string()
  .regex(
    /^[^/\s][^\s]*[^/\s]$|^[^/\s]$/,
    'a directory inside the repository without leading or trailing "/", like supabase/migrations',
  );

export const migrationsTableSchema = z
  .object({
    /** Supabase's own table is supabase_migrations.schema_migrations; the runbook's is public.schema_migrations. */
    schema: sqlIdentifier.default('public'),
    table: sqlIdentifier.default('schema_migrations'),
    /** Holds each applied migration's version (compared as text). */
    version_column: sqlIdentifier.default('version'),
    /** Newest row by this column is the head (the runbook's `order by inserted_at desc limit 1`). */
    order_column: sqlIdentifier.default('inserted_at'),
  })
  .strict();

const revertCommandSchema = z
  .object({
    /** argv, no shell: each element may hold {version} and {previous_version}, e.g. ["dbmate", "rollback"]. */
    argv: z.array(z.string().min(1)).min(1, 'give the command as a list, like ["dbmate", "rollback"]'),
    /** Killed (and the step failed) after this long. */
    timeout: duration.default(ms('10m')),
    /** Variables passed through from the bot's environment (besides PATH); nothing else is inherited. */
    env: z.array(envVarName).default([]),
    /** The child receives the target database URL under this name. */
    database_url_var: envVarName.default('DATABASE_URL'),
  })
  .strict();

const validationCheckSchema = z
  .object({
    /** Shown in the validation report. */
    name: z.string().min(1),
    /** One query whose first column of its first row must be true, like `select count(*) > 0 from orgs`. */
    sql: z.string().min(1),
  })
  .strict();

export const databaseConfigSchema = z
  .object({
    migrations_table: migrationsTableSchema.prefault({}),
    migrations: z
      .object({
        /** Where migration files live in the repository (compared between the target and the bad tag). */
        path: repoDir.default('supabase/migrations'),
        /**
         * What schema_migrations stores for a file: its whole name without .sql (`20261120_add_orgs`),
         * or only the leading timestamp (`20261120093000`, the Supabase CLI's convention).
         */
        version: z.enum(['file_name', 'timestamp_prefix']).default('file_name'),
        /** The down migration, read at the bad tag; {path}, {version} and {name} (file name without .sql). */
        down_file: z
          .string()
          .regex(/\{(version|name)\}/, 'the pattern must contain {version} or {name}')
          .default('{path}/{version}.down.sql'),
      })
      .strict()
      .prefault({}),
    /** When set, reverts run this instead of applying the down file (e.g. a migration tool's own rollback). */
    revert_command: revertCommandSchema.optional(),
    /** SET LOCAL for the down migration's transaction: give up rather than queue behind live traffic. */
    lock_timeout: duration.default(ms('5s')),
    /** SET LOCAL for the down migration's transaction: a revert that runs longer is rolled back. */
    statement_timeout: duration.default(ms('5m')),
    backups: z
      .object({
        /** A directory the bot can read (a mounted volume); S3 and Supabase storage are synced into it. */
        directory: z.string().startsWith('/', 'give an absolute directory, like /backups'),
        /** File names with a {timestamp} (UTC): 20261124T031500Z or 2026-11-24T03-15-00Z. */
        filename: z
          .string()
          .regex(/\{timestamp\}/, 'the pattern must contain {timestamp}')
          .default('prod-{timestamp}.dump'),
      })
      .strict()
      .optional(),
    restore: z
      .object({
        /** Env var with a postgres:// URL of the restore server; default the target's own server. */
        server_url_env: envVarName.optional(),
        /** The restored database is named <prefix>_<incident id>. */
        database_prefix: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,19}$/, 'lower-case letters, digits and "_", at most 20')
          .default('rc_restore'),
        /** pg_restore is stopped (and the half-made database dropped) after this long. */
        timeout: duration.default(ms('1h')),
      })
      .strict()
      .prefault({}),
    validation: z
      .object({
        /** Row counts reported for these tables (and a table that is missing fails validation). */
        count_tables: z.array(qualifiedTable).default([]),
        /** The team's own checks, run after the built-in ones (migrations table, row counts). */
        checks: z.array(validationCheckSchema).default([]),
        /** Per check: a check that runs longer fails. */
        statement_timeout: duration.default(ms('1m')),
      })
      .strict()
      .prefault({}),
    promotion: z
      .object({
        /** The Kubernetes Secret (in the environment's namespace) holding the app's database URL. */
        secret: k8sName,
        /** The key inside that Secret (its value is the whole postgres:// URL). */
        key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key is letters, digits, "-", "_" and "."'),
        /** Restarted after the swap so they pick up the new connection string. */
        deployments: z.array(k8sName).min(1, 'list the Deployments that read the database URL'),
        /** How long to wait for each restarted Deployment's rollout. */
        rollout_timeout: duration.default(ms('5m')),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DatabaseConfig = z.output<typeof databaseConfigSchema>;
export type MigrationsTableConfig = z.output<typeof migrationsTableSchema>;
export type RevertCommandConfig = z.output<typeof revertCommandSchema>;
