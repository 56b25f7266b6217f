/**
 * Runbook: "Select last known-good release". The previous ReplicaSet is not necessarily good (a
 * rollback reuses an old ReplicaSet and renumbers it, API_NOTES), so the proposal comes from the
 * bot's own record of known-good images first, then ReplicaSet history, cross-checked with the
 * repo's release tags. The captain approves (or picks another) before anything is patched.
 */

import type { Logger } from 'pino';
import semver from 'semver';
import type { RunbookConfig } from '../../../config/schema.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import { imageTag, isStableRelease, previousRelease, releaseProblem } from '../../../domain/versions.ts';
import type { RunExecutor } from '../../executor.ts';
import { taintedWarning } from '../../known-good.ts';
import type { Deployments, IncidentStore, SourceControl } from '../../ports.ts';
import { readOutput } from '../_shared/step-output.ts';
import { type SelectReleaseOutput, selectReleaseOutputSchema } from './output.ts';

interface Candidate {
  version: string | null;
  detail: string;
}

export interface TargetProposalResult {
  proposal: { version: string; source: string };
  validTargets: string[];
  /** Versions an incident rolled back away from → that incident: approvable only by naming them, with a warning. */
  taintedTargets: Record<string, string>;
  candidates: Record<string, unknown>;
  disagreements: string[];
  notes: string[];
  summary: string;
}

export interface ProposeDeps {
  store: IncidentStore;
  deployments: Deployments;
  sourceControl: SourceControl | null;
}

/**
 * The proposal itself, usable before an incident exists (the /rollback modal shows it while
 * people fill the form) and by the step.
 */
export async function proposeTarget(
  deps: ProposeDeps,
  input: { config: RunbookConfig; badVersion: string; requestedTarget?: string | null; log: Logger },
): Promise<TargetProposalResult> {
  const { config, badVersion } = input;
  const pattern = config.github.tag_pattern;
  const tainted = await taintedVersions(deps.store, config.environment.name, badVersion);
  const exclude = new Set([badVersion, ...tainted.keys()]);
  const known = await fromKnownGood(deps.store, config.environment.name, badVersion, exclude, pattern, input.log);
  const history = await fromHistory(deps.deployments, config, badVersion, exclude, pattern);
  const tags = await fromTags(deps.sourceControl, badVersion, exclude, pattern, input.log);
  // Every release older than the bad one that exists; a version rolled back away from is not proposed.
  const existing = new Set([...history.all, ...tags.all]);
  const valid = [
    ...new Set([known.version, ...[...existing].filter((v) => !exclude.has(v))].filter((v): v is string => !!v)),
  ].sort(semver.rcompare);
  const requested = input.requestedTarget;
  const pick = requested
    ? { version: requested, source: 'requested with the rollback (`to`)' }
    : known.version
      ? { version: known.version, source: `known-good record (${known.detail})` }
      : history.version
        ? { version: history.version, source: `ReplicaSet history (${history.detail})` }
        : tags.version
          ? { version: tags.version, source: `repo tags (${tags.detail})` }
          : null;
  if (!pick) {
    throw new UserFacingError(
      'not_found',
      `no known-good release below ${badVersion} was found (no known-good record, no older ReplicaSet, no older tag): name the target yourself with \`to vX.Y.Z\``,
    );
  }
  // Asked for by name, a version an earlier incident rolled back away from is allowed, with a warning.
  const taintedTargets = Object.fromEntries([...tainted].filter(([v]) => existing.has(v)));
  const warnings = requested && taintedTargets[requested] ? [taintedWarning(requested, taintedTargets[requested])] : [];
  if (!valid.includes(pick.version) && !warnings.length) {
    throw new UserFacingError(
      'invalid_input',
      `${pick.version} is neither in the Deployments' history nor in the repo's tags, so its images may not exist: pick one of ${valid.slice(0, 8).join(', ') || '(none found)'}`,
    );
  }
  const validTargets = warnings.length ? [...valid, pick.version].sort(semver.rcompare) : valid;
  const sources: [string, Candidate][] = [
    ['known-good record', known],
    ['ReplicaSet history', history],
    ['repo tags', tags],
  ];
  const disagreements = sources
    .filter(([, c]) => c.version && c.version !== pick.version)
    .map(([name, c]) => `${name} suggests ${c.version} (${c.detail})`);
  const notes = [...warnings, ...tags.notes];
  const summary = [
    `Proposed target ${pick.version} from the ${pick.source}.`,
    ...disagreements.map((d) => `Note: ${d}.`),
    ...notes,
  ].join(' ');
  return {
    proposal: pick,
    validTargets,
    taintedTargets,
    candidates: { knownGood: known, history, tags },
    disagreements,
    notes,
    summary,
  };
}

export function createSelectRelease(deps: ProposeDeps): RunExecutor {
  return {
    async run(ctx) {
      const result = await proposeTarget(deps, {
        config: ctx.config,
        badVersion: ctx.incident.badVersion,
        requestedTarget: readOutput('select_release', selectReleaseOutputSchema, ctx.previous).requestedTarget,
        log: ctx.log,
      });
      const { summary, ...output } = result;
      return { outcome: 'awaiting_approval', summary, output: output satisfies SelectReleaseOutput };
    },
  };
}

/** Versions an incident reverted away from → that incident (the current bad version is excluded apart). */
async function taintedVersions(
  store: IncidentStore,
  environment: string,
  badVersion: string,
): Promise<Map<string, string>> {
  const reverted = await store.revertedVersions(environment);
  return new Map(reverted.filter((r) => r.version !== badVersion).map((r) => [r.version, r.incidentId]));
}

/** The newest known-good release older than the bad one; records that are not releases are skipped, never fatal. */
async function fromKnownGood(
  store: IncidentStore,
  environment: string,
  badVersion: string,
  exclude: Set<string>,
  pattern: string,
  log: Logger,
): Promise<Candidate> {
  const records = await store.knownGood(environment, 50);
  const usable = records.filter((r) => {
    const problem = r.version ? releaseProblem(r.version, pattern) : 'no version';
    if (problem)
      log.warn({ version: r.version, source: r.source, problem }, 'skipping a known-good record that is not a release');
    return !problem;
  });
  const good = usable
    .filter((r) => !exclude.has(r.version!) && semver.lt(r.version!, badVersion))
    .sort((a, b) => semver.rcompare(a.version!, b.version!) || b.recordedAt.getTime() - a.recordedAt.getTime())[0];
  return good
    ? {
        version: good.version,
        detail: `${good.source}, recorded ${good.recordedAt.toISOString()} by ${good.recordedBy}`,
      }
    : { version: null, detail: 'no record' };
}

async function fromHistory(
  deployments: Deployments,
  config: RunbookConfig,
  badVersion: string,
  exclude: Set<string>,
  pattern: string,
) {
  const perDeployment: Record<string, string | null> = {};
  const all = new Set<string>();
  for (const d of config.deployments) {
    const revisions = await deployments.history(d.name);
    const tags = revisions
      .map((r) => r.images.find((c) => c.container === d.container)?.image)
      .map((img) => (img ? imageTag(img) : null))
      .filter((t): t is string => !!t && isStableRelease(t, pattern) && semver.lt(t, badVersion));
    for (const t of tags) all.add(t);
    perDeployment[d.name] = tags.find((t) => !exclude.has(t)) ?? null;
  }
  const found = new Set(Object.values(perDeployment));
  const version = found.size === 1 ? ([...found][0] ?? null) : null;
  const detail = Object.entries(perDeployment)
    .map(([n, v]) => `${n}: ${v ?? 'none'}`)
    .join(', ');
  return {
    version,
    detail: found.size > 1 ? `Deployments disagree — ${detail}` : detail,
    perDeployment,
    all: [...all],
  };
}

async function fromTags(
  sc: SourceControl | null,
  badVersion: string,
  exclude: Set<string>,
  pattern: string,
  log: Logger,
) {
  if (!sc)
    return {
      version: null,
      detail: 'GitHub not configured',
      all: [] as string[],
      notes: ['Repo tags were not checked: GITHUB_TOKEN is not set.'],
    };
  try {
    const tags = await sc.listReleaseTags();
    const version = previousRelease(tags, badVersion, exclude, pattern);
    const all = tags.filter((t) => isStableRelease(t, pattern) && semver.lt(t, badVersion));
    return {
      version,
      detail: version ? `highest release below ${badVersion}` : 'no older release',
      all,
      notes: [] as string[],
    };
  } catch (err) {
    // A cross-check must not block the rollback: say it could not be done.
    log.warn({ err }, 'could not list repo tags');
    return {
      version: null,
      detail: 'unavailable',
      all: [] as string[],
      notes: [`Repo tags could not be checked: ${(err as Error).message}`],
    };
  }
}
