import { channelOf } from '../../../domain/user-text.ts';
import type { RunExecutor } from '../../executor.ts';
import type { Announcer } from '../../ports.ts';

export function createAnnounce(deps: { announcer: Announcer | null }): RunExecutor {
  return {
    async run(ctx) {
      const { incident } = ctx;
      const what = `Rollback of ${incident.badVersion} in ${incident.environment} (${incident.severity}${incident.critical ? ', critical' : ''})${incident.issueUrl ? `, issue ${incident.issueUrl}` : ''}`;
      if (!deps.announcer) {
        return {
          outcome: 'succeeded',
          summary: `${what} recorded; Slack is not connected, so tell #incidents and #releases yourself`,
          output: { posted: false },
        };
      }
      const where = await deps.announcer.announce(incident);
      return {
        outcome: 'succeeded',
        summary: `${what} announced in ${channelOf(where.incidents)} and ${channelOf(where.releases)}`,
        output: { posted: true, ...where },
      };
    },
  };
}
