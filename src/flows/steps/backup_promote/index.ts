/**
 * The engine's `backup_promote` executor, after a validated restore (backup_abandon is the other choice).
 *
 * Promote writes the restored database's URL into the app's Secret and restarts the Deployments.
 * The value it replaces is a secret URL, so it never goes into step output (shown in Slack and the
 * CLI): it is copied first into the key `<key>.previous` of the same Secret — already readable by
 * exactly those who can read the current one, and writable with the one RBAC rule promotion needs
 * anyway — or `<key>.previous.<n>` when an earlier promotion kept one (previous-value-keys.ts).
 * Step output only says where it is.
 */
import ms from 'ms';
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import { withDatabase } from '../../../domain/pg-url.ts';
import type { PlannedExecutor, StepContext } from '../../executor.ts';
import {
  type DatabaseStepDeps,
  outputOf,
  progressStream,
  restoreConfig,
  restoreServer,
} from '../_shared/db-step-support.ts';
import { readOutput, readPlan } from '../_shared/step-output.ts';
import { lossSoFar } from '../backup_restore/index.ts';
import { backupRestoreOutputSchema } from '../backup_restore/output.ts';
import { promoteBackupRestore } from './backup-promote.ts';
import { type PromotePlan, promotePlanSchema } from './plan.ts';
import { keepPreviousValue, previousValueKey, previousValueSlot, readPreviousValues } from './previous-value-keys.ts';
import type { SecretStore } from './secret-store.ts';

export function createBackupPromoteStep(deps: DatabaseStepDeps): PlannedExecutor {
  const secrets: SecretStore = {
    readKey: async (secret, key) => (await deps.secrets.readKey(secret, key)) ?? null,
    writeKey: (secret, key, value) => deps.secrets.writeKey(secret, key, value),
  };
  return {
    async plan(ctx) {
      const config = restoreConfig(ctx, deps);
      const promotion = promotionConfig(config);
      const restored = readOutput(
        'backup_restore',
        backupRestoreOutputSchema,
        outputOf(ctx, 'backup_restore', 'the restored database'),
      );
      const where = `Secret ${ctx.config.environment.kube.namespace}/${promotion.secret} key ${promotion.key}`;
      // Fail at plan time, not after two people approved: the Secret and key must exist.
      const current = await secrets.readKey(promotion.secret, promotion.key);
      if (current === null) {
        throw new UserFacingError(
          'not_found',
          `${where} does not exist: set database.promotion.secret and .key to where the app reads its database URL, then Retry`,
        );
      }
      const swapped = current === withDatabase(restoreServer(ctx, deps, config).url, restored.database);
      // Swapped already: the value before is in the newest slot; else where it will go.
      const previousKey = swapped
        ? await newestSlot(secrets, promotion.secret, promotion.key)
        : (await previousValueSlot(secrets, promotion.secret, promotion.key, current)).key;
      const managers = await deps.secrets.readManagers(promotion.secret);
      const plan: PromotePlan = {
        database: restored.database,
        location: restored.location,
        backup: restored.backup,
        secret: promotion.secret,
        key: promotion.key,
        previousKey,
        deployments: promotion.deployments,
      };
      const serverEnv = config.restore.server_url_env ?? ctx.config.target.database_url_env;
      const summary = [
        `Promote ${plan.location} (restored from ${plan.backup.name}): write its connection string (with the credentials in ${serverEnv}) into ${where}, ` +
          `then restart ${plan.deployments.join(', ')} and wait for their rollouts (up to ${ms(promotion.rollout_timeout)} each).`,
        swapped
          ? `The Secret already points at it (an earlier attempt swapped it; the value before is in key ${plan.previousKey}): this restarts the Deployments again.`
          : `The current value is first copied to key ${plan.previousKey} of the same Secret (never shown), so the swap can be reversed.` +
            (previousKey === previousValueKey(promotion.key)
              ? ''
              : ` Values kept by earlier promotions stay as they are (the oldest in ${previousValueKey(promotion.key)}).`),
        ...managers.map(
          (m) =>
            `⚠ Secret ${ctx.config.environment.kube.namespace}/${promotion.secret} is managed by ${m}: ` +
            'its controller will write its own value back and undo this swap — ' +
            'change the value at its source (or suspend the sync) as well, or the app returns to the old ' +
            'database on the next sync.',
        ),
        lossSoFar(ctx, plan),
        `Validation: ${restored.validation.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('; ')}`,
      ].join('\n');
      return { summary, plan };
    },

    async apply(ctx) {
      const plan = readPlan('backup_promote', promotePlanSchema, ctx.plan);
      const config = restoreConfig(ctx, deps);
      const promotion = promotionConfig(config);
      if (
        promotion.secret !== plan.secret ||
        promotion.key !== plan.key ||
        promotion.deployments.join() !== plan.deployments.join()
      ) {
        throw new UserFacingError(
          'stale',
          'database.promotion changed since this promotion was approved: Retry to plan again and re-approve',
        );
      }
      const restartAt = await restartTime(ctx);
      const stream = progressStream(ctx, { prefix: 'promotion:' });
      let previousKey = plan.previousKey;
      const result = await promoteBackupRestore({
        config,
        backups: deps.backups,
        incidentId: ctx.incident.id,
        serverUrl: restoreServer(ctx, deps, config).url,
        secrets,
        deployments: deps.deployments,
        restartAt,
        // Awaited before the Secret is written: a crash between the two leaves the old value recorded.
        recordPrevious: async (previous) => {
          previousKey = await keepPreviousValue(secrets, plan.secret, plan.key, previous);
        },
        onProgress: (message) => stream.onOutput({ stream: 'stdout', line: message }),
        signal: ctx.signal,
      }).finally(() => stream.flush());
      const where = `Secret ${ctx.config.environment.kube.namespace}/${plan.secret}`;
      return {
        outcome: 'succeeded',
        summary:
          `${where} key ${plan.key} now points at ${plan.location}${result.alreadySwapped ? ' (swapped by an earlier try)' : ''}; ` +
          `${plan.deployments.join(', ')} restarted and rolled out. The previous value is kept in key ${previousKey} of ${where} (README "Database rollback" says how to reverse).`,
        output: {
          promoted: true,
          database: result.database,
          location: plan.location,
          secret: plan.secret,
          key: plan.key,
          previousValueKey: previousKey,
          deployments: plan.deployments,
          restartedAt: restartAt.toISOString(),
        },
      };
    },
  };
}

/**
 * One restart time per attempt (backup-promote.ts): a job that runs again after its worker died
 * sends the same restartedAt annotation, which starts no second rollout; a Retry gets a new one —
 * at least a second later than the last, because the annotation has whole seconds and an equal
 * value would change nothing (and the old, failed rollout would be read as this one's result).
 */
async function restartTime(ctx: StepContext): Promise<Date> {
  const saved = ctx.previous.restartAt;
  if (ctx.previous.restartAttempt === ctx.step.attempt && typeof saved === 'string') return new Date(saved);
  const earliest = typeof saved === 'string' ? Math.floor(new Date(saved).getTime() / 1000) * 1000 + 1000 : 0;
  const at = new Date(Math.max(ctx.now().getTime(), earliest));
  await ctx.checkpoint({ restartAt: at.toISOString(), restartAttempt: ctx.step.attempt });
  return at;
}

async function newestSlot(secrets: SecretStore, secret: string, key: string): Promise<string> {
  const kept = await readPreviousValues(secrets, secret, key);
  return kept.at(-1)?.key ?? previousValueKey(key);
}

function promotionConfig(config: DatabaseConfig): NonNullable<DatabaseConfig['promotion']> {
  if (!config.promotion) {
    throw new UserFacingError(
      'config_invalid',
      'promotion is not configured: set database.promotion.secret, .key and .deployments in rollback.yml (or swap the connection string by hand and Skip with a reason)',
    );
  }
  return config.promotion;
}
