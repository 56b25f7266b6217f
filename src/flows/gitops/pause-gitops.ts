/**
 * The GitOps half of pause_deploys: turn Argo CD auto-sync off (remove
 * `spec.syncPolicy.automated`, Argo CD's own way) and suspend Flux objects, recording each one's
 * policy BEFORE changing it — like the GitHub half, the checkpoint comes first, and a re-run
 * after a crash trusts the record over what the cluster shows now (which may already be ours).
 * Helm without a controller has nothing to pause: the record says so, for the checklist.
 */

import type { z } from 'zod';
import type { GitOpsConfig } from '../../config/gitops.ts';
import { UserFacingError } from '../../domain/errors.ts';
import { argoAutoSyncOn, describeArgoPolicy, managerLabel } from '../../domain/gitops.ts';
import type { GitOpsControllers } from '../ports.ts';
import { describeController, type GitOpsInventory, isActive, takeInventory } from './inventory.ts';
import type { gitopsPauseEntrySchema, gitopsPauseRecordSchema } from './records.ts';

/** One controller as pause_deploys found and left it (records.ts has the schema). */
export type GitOpsPauseEntry = z.output<typeof gitopsPauseEntrySchema>;
/** Also the shape of pause_deploys' `gitops` output. */
export type GitOpsPauseRecord = z.output<typeof gitopsPauseRecordSchema>;

export interface PauseGitOpsDeps {
  controllers: GitOpsControllers;
  config: GitOpsConfig;
  deployments: readonly string[];
  previous: GitOpsPauseRecord | undefined;
  checkpoint(record: GitOpsPauseRecord): Promise<void>;
  progress(message: string): Promise<void>;
}

export async function pauseGitOps(deps: PauseGitOpsDeps): Promise<{ record: GitOpsPauseRecord; summary: string }> {
  const record = deps.previous ? structuredClone(deps.previous) : await firstLook(deps);
  if (record.guard === 'off') return { record, summary: describeGitOpsPause(record) };
  for (const entry of record.entries) {
    if (entry.kind === 'helm' || entry.done) continue;
    await pauseOne(deps, entry);
    entry.done = true;
    await deps.checkpoint(structuredClone(record));
  }
  return { record, summary: describeGitOpsPause(record) };
}

/** Detection and every controller's policy, checkpointed before anything is changed. */
async function firstLook(deps: PauseGitOpsDeps): Promise<GitOpsPauseRecord> {
  const inventory = await takeInventory(deps.controllers, deps.deployments, deps.config);
  const guard = deps.config.guard ? 'on' : 'off';
  const record: GitOpsPauseRecord = {
    guard,
    ...(deps.config.reason ? { reason: deps.config.reason } : {}),
    entries: entriesOf(inventory, guard === 'on'),
    detected: inventory.controllers.map(describeController),
  };
  // Nothing detected and the guard on: nothing to record (and no noise in every pause's output).
  if (record.entries.length > 0 || guard === 'off') await deps.checkpoint(structuredClone(record));
  return record;
}

function entriesOf(inventory: GitOpsInventory, guard: boolean): GitOpsPauseEntry[] {
  return inventory.controllers.map((c): GitOpsPauseEntry => {
    const base = { namespace: c.ref.namespace, deployments: c.deployments };
    if (c.ref.kind === 'helm') return { kind: 'helm', ...base, name: c.ref.release };
    const missing = c.ref.kind === 'argocd' ? !c.argo : !c.flux;
    if (missing) {
      throw new UserFacingError(
        'not_found',
        `${managerLabel(c.ref)} manages ${c.deployments.join(', ')} but was not found: set gitops.argocd.namespace / context in rollback.yml so the bot can pause it, or pause it by hand and set gitops: { guard: false, reason: … }`,
      );
    }
    const pausing = guard && isActive(c);
    if (c.ref.kind === 'argocd') {
      const argo = c.argo!;
      return {
        kind: 'argocd',
        ...base,
        name: c.ref.name,
        prior: argo.automated,
        pausedByUs: pausing,
        done: !pausing,
        ...(argo.syncRevision ? { revisionAtPause: argo.syncRevision } : {}),
        ...(argo.targetRevision ? { targetRevision: argo.targetRevision } : {}),
      };
    }
    const flux = c.flux!;
    return {
      kind: c.ref.kind,
      ...base,
      name: c.ref.name,
      prior: flux.suspend,
      pausedByUs: pausing,
      done: !pausing,
      ...(flux.lastAppliedRevision ? { revisionAtPause: flux.lastAppliedRevision } : {}),
    };
  });
}

/** Look before acting: a worker that died after the patch must not count the controller as still on. */
async function pauseOne(deps: PauseGitOpsDeps, entry: Exclude<GitOpsPauseEntry, { kind: 'helm' }>): Promise<void> {
  if (entry.kind === 'argocd') {
    const app = await deps.controllers.getApplication(entry.namespace, entry.name);
    if (!app || !argoAutoSyncOn(app.automated)) return;
    await deps.progress(
      `Turning auto-sync off on Argo CD Application ${entry.namespace}/${entry.name} (was: ${describeArgoPolicy(entry.prior)})`,
    );
    await deps.controllers.setArgoAutomated(entry.namespace, entry.name, null, app.automated);
    return;
  }
  const flux = await deps.controllers.getFlux(entry.kind, entry.namespace, entry.name);
  if (!flux || flux.suspend === true) return;
  await deps.progress(`Suspending ${managerLabel({ kind: entry.kind, namespace: entry.namespace, name: entry.name })}`);
  await deps.controllers.setFluxSuspend(entry.kind, entry.namespace, entry.name, true);
}

export function describeGitOpsPause(record: GitOpsPauseRecord): string {
  const parts: string[] = [];
  if (record.guard === 'off') {
    const seen = record.entries.length ? `; left ${record.entries.map(entryLabel).join(', ')} as they are` : '';
    return `GitOps guard OFF (${record.reason ?? 'no reason given'})${seen}`;
  }
  for (const e of record.entries) {
    if (e.kind === 'helm') {
      parts.push(
        `${entryLabel(e)} (${e.deployments.join(', ')}): nothing to pause in the cluster — the next \`helm upgrade\` sets the images from the chart's values again`,
      );
    } else if (e.kind === 'argocd') {
      parts.push(
        e.pausedByUs
          ? `${entryLabel(e)}: auto-sync turned off (was: ${describeArgoPolicy(e.prior)})`
          : `${entryLabel(e)}: auto-sync was already off, left as it was`,
      );
    } else {
      parts.push(e.pausedByUs ? `${entryLabel(e)}: suspended` : `${entryLabel(e)}: already suspended, left as it was`);
    }
  }
  return parts.join('; ');
}

export function entryLabel(e: GitOpsPauseEntry): string {
  if (e.kind === 'helm') return managerLabel({ kind: 'helm', namespace: e.namespace, release: e.name });
  return managerLabel({ kind: e.kind, namespace: e.namespace, name: e.name } as never);
}

/** For a pause that stopped part-way: which controllers are paused and which only have their policy recorded. */
export function describeGitOpsPauseProgress(record: GitOpsPauseRecord | undefined): string | null {
  const pending = (record?.entries ?? []).filter((e) => e.kind !== 'helm' && e.pausedByUs && !e.done).map(entryLabel);
  const done = (record?.entries ?? []).filter((e) => e.kind !== 'helm' && e.pausedByUs && e.done).map(entryLabel);
  if (pending.length === 0 && done.length === 0) return null;
  return [
    ...(done.length ? [`paused ${done.join(', ')}`] : []),
    ...(pending.length ? [`recorded the policy of ${pending.join(', ')} but did NOT pause it yet`] : []),
  ].join('; ');
}
