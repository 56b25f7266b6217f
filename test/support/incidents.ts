/** One open rollback per environment: tests that open incidents start from none, whatever the last left. */
import type { FlowDeps } from '../../src/flows/deps.ts';
import { abortIncident } from '../../src/flows/incident-commands.ts';
import { CAPTAIN } from './runbook-config.ts';

export async function abortOpenIncidents(deps: FlowDeps): Promise<void> {
  for (const open of await deps.store.list({ openOnly: true })) {
    await abortIncident(deps, { incidentId: open.id, actor: CAPTAIN, reason: 'next test' });
  }
}
