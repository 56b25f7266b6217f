/** The runbook config tests run with: the example's shape, short timings. */

import { parse, stringify } from 'yaml';
import { parseRunbookConfig } from '../../src/app/config.ts';
import type { RunbookConfig } from '../../src/config/schema.ts';

export const CAPTAIN = 'UCAPTAIN1';
export const SRE = 'USRE00001';
export const DB_OWNER = 'UDBOWNER1';
export const STAKEHOLDER = 'USTAKE001';

/** The test config with top-level keys replaced by those in `overrides` (YAML). */
export function testConfigYaml(overrides = ''): string {
  const base = parse(BASE) as Record<string, unknown>;
  const extra = (parse(overrides) ?? {}) as Record<string, unknown>;
  return stringify({ ...base, ...extra });
}

const BASE = `
environment:
  name: production
  kube: { context: fake, namespace: prod }
deployments:
  - { name: api, container: api, image: ghcr.io/valuecanvas/app }
  - { name: web, container: web, image: ghcr.io/valuecanvas/web }
  - { name: worker, container: worker, image: ghcr.io/valuecanvas/worker }
rollout: { timeout: 20s }
github: { owner: ValueCanvas, repo: ValueCanvas, deploy_workflows: [deploy.yml] }
slack: { channels: { incidents: C0INCIDENTS, releases: C0RELEASES } }
roles:
  release_captain: { users: [${CAPTAIN}] }
  oncall_sre: { users: [${SRE}] }
  database_owner: { users: [${DB_OWNER}] }
verify: { grafana_url: "https://grafana.example.com/d/00-prod-overview" }
queue: { attempts: 3, backoff: 100ms, lock_duration: 1s }
# The engine's manual mechanics are tested with autopilot off; autopilot tests turn it on.
autopilot: false
`;

export function testConfig(overrides = ''): RunbookConfig {
  return parseRunbookConfig(testConfigYaml(overrides), 'test rollback.yml');
}
