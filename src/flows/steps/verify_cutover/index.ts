/**
 * Runbook: "Check that new pods are serving and error rates drop in Grafana 00-Prod Overview".
 * With a Prometheus query configured: the error rate must stay under the threshold (and below its
 * value when the revert started) for the whole hold period. Without one: a person confirms,
 * with the dashboard link.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ms from 'ms';
import { UserFacingError } from '../../../domain/errors.ts';
import type { RunExecutor, StepContext } from '../../executor.ts';
import { changedSinceRevert, recordRestoredImages, restoredImages } from '../../known-good.ts';
import type { MetricQuery } from '../../ports/metrics.ts';
import type { Deployments, IncidentStore } from '../../ports.ts';

export function createVerifyCutover(deps: {
  metrics: MetricQuery | null;
  store: IncidentStore;
  deployments: Deployments;
}): RunExecutor {
  return {
    async run(ctx) {
      const prom = ctx.config.verify.prometheus;
      if (!prom || !deps.metrics) {
        return {
          outcome: 'awaiting_confirmation',
          summary: `Check that new pods serve traffic and the error rate drops in Grafana 00-Prod Overview (${ctx.config.verify.grafana_url}), then press Confirm`,
          output: { manual: true, dashboard: ctx.config.verify.grafana_url },
        };
      }
      await requireRevertInPlace(deps.deployments, ctx);
      const revertStarted = ctx.snapshot.steps.get('revert_images')?.startedAt ?? null;
      const before = revertStarted ? await deps.metrics.instant(prom.query, revertStarted) : null;
      const samples = await holdUnderThreshold(deps.metrics, ctx, prom, before);
      const live = { deployments: deps.deployments, config: ctx.config };
      const recorded = await recordRestoredImages(deps.store, ctx.snapshot, 'rollback-commander', ctx.now(), live);
      if (!recorded.recorded) throw notInPlace(recorded.reason);
      const last = samples.at(-1)!;
      return {
        outcome: 'succeeded',
        summary: `Error rate ${fmt(last.value)} stayed under ${prom.threshold}${before !== null ? ` (was ${fmt(before)} when the revert started)` : ''} for ${ms(prom.hold, { long: true })}`,
        output: { before, samples, threshold: prom.threshold },
      };
    },
  };
}

/** The error rate only says something about the target if the target is what runs. */
async function requireRevertInPlace(deployments: Deployments, ctx: StepContext): Promise<void> {
  const after = restoredImages(ctx.snapshot);
  const changed = after ? await changedSinceRevert(deployments, ctx.config, after) : [];
  if (changed.length > 0) throw notInPlace(changed.join('; '));
}

function notInPlace(reason: string): UserFacingError {
  return new UserFacingError(
    'conflict',
    `the revert is no longer in place: ${reason}. Nothing was recorded as known-good: find out who changed it ` +
      '(kubectl get deployment -o yaml --show-managed-fields), Retry revert_images to set the target again, ' +
      'then Retry this step',
  );
}

type Sample = { at: string; value: number | null };

async function holdUnderThreshold(
  metrics: MetricQuery,
  ctx: StepContext,
  prom: NonNullable<StepContext['config']['verify']['prometheus']>,
  before: number | null,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = ctx.now().getTime() + prom.hold * 4;
  let heldSince: number | null = null;
  for (;;) {
    const value = await metrics.instant(prom.query);
    const at = ctx.now();
    samples.push({ at: at.toISOString(), value });
    const good = value !== null && value < prom.threshold && (before === null || value <= before);
    heldSince = good ? (heldSince ?? at.getTime()) : null;
    if (heldSince !== null && at.getTime() - heldSince >= prom.hold) return samples.slice(-50);
    if (at.getTime() > deadline) {
      throw new UserFacingError(
        'rollout_failed',
        `the error rate did not stay under ${prom.threshold} for ${ms(prom.hold, { long: true })} (last ${fmt(value)}${before !== null ? `, ${fmt(before)} before the revert` : ''}): look at Grafana 00-Prod Overview (${ctx.config.verify.grafana_url}); Retry, or Skip with a reason`,
      );
    }
    await ctx.progress(`error rate ${fmt(value)} (threshold ${prom.threshold})`);
    await sleep(prom.interval, undefined, { signal: ctx.signal }).catch(() => {
      throw new UserFacingError('aborted', 'verification aborted');
    });
  }
}

function fmt(v: number | null): string {
  return v === null ? 'no data' : String(Number(v.toPrecision(3)));
}
