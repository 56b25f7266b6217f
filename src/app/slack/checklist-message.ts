/** The checklist message for an incident as it stands now (both channels show the same). */

import type { ChecklistMessage } from '../../adapters/slack/chat-port.ts';
import { renderChecklist, renderChecklistText } from '../../adapters/slack/checklist-blocks.ts';
import type { RoleResolver } from '../../adapters/slack/role-resolver.ts';
import type { RunbookConfig } from '../../config/schema.ts';
import { autopilotStatus } from '../../domain/autopilot.ts';
import { autopilotSettings } from '../../flows/autopilot.ts';
import type { IncidentSnapshot } from '../../flows/ports.ts';

export function checklistSla(config: RunbookConfig, severity: 'P1' | 'P2') {
  return severity === 'P1'
    ? { decideMs: config.sla.P1.decide, restoreMs: config.sla.P1.restore }
    : { restoreMs: config.sla.P2.restore };
}

export async function checklistMessage(
  snap: IncidentSnapshot,
  config: RunbookConfig,
  roles: RoleResolver,
  now: Date,
): Promise<ChecklistMessage> {
  const view = {
    incident: snap.incident,
    steps: [...snap.steps.values()],
    approvals: [...snap.approvals],
    roles: await roles.members(),
    environment: {
      name: config.environment.name,
      kubeContext: config.environment.kube.context,
      namespace: config.environment.kube.namespace,
    },
    sla: checklistSla(config, snap.incident.severity),
    now,
    autopilot: autopilotStatus(snap, autopilotSettings(config)),
  };
  return { text: renderChecklistText(view), blocks: renderChecklist(view) };
}
