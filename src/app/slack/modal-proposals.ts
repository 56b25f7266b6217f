/**
 * The /rollback modal opens at once (its trigger_id lives 3 s) and shows "computing…" for the
 * target; a job on the worker computes the proposal (known-good record, ReplicaSet history, tags
 * — seconds when GitHub is slow) and fills it in with views.update.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type RollbackModalInput, renderRollbackModal, withProposal } from '../../adapters/slack/rollback-modal.ts';
import type { RunbookConfig } from '../../config/schema.ts';
import { type ProposeDeps, proposeTarget } from '../../flows/steps/select_release/index.ts';
import type { SlackServices } from './slack-services.ts';

const QUEUE = 'modal-proposals';

export interface ProposalJob {
  viewId: string;
  modal: Omit<RollbackModalInput, 'now'> & { now: string };
  requestedTarget: string | null;
}

export function createProposalQueue(connection: Redis, prefix: string) {
  const queue = new Queue<ProposalJob>(QUEUE, { connection, prefix });
  return {
    add: (job: ProposalJob) =>
      queue.add('propose', job, {
        jobId: `proposal_${job.viewId}`,
        attempts: 1,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      }),
    close: () => queue.close(),
  };
}

export async function startProposalWorker(deps: {
  connection: Redis;
  prefix: string;
  propose: ProposeDeps;
  config: RunbookConfig;
  slack: SlackServices;
  log: Logger;
}) {
  // Few at a time: a burst of /rollback commands must not starve the acks that share this process.
  const worker = new Worker<ProposalJob>(
    QUEUE,
    async (job) => {
      const { viewId, modal, requestedTarget } = job.data;
      const view = renderRollbackModal({ ...modal, now: new Date(modal.now) });
      try {
        const result = await proposeTarget(deps.propose, {
          config: deps.config,
          badVersion: modal.badVersion ?? '',
          requestedTarget,
          log: deps.log,
        });
        await deps.slack.chat.updateView(
          viewId,
          withProposal(view, {
            targetVersion: result.proposal.version,
            source: result.proposal.source,
            disagreements: [...result.disagreements, ...result.notes],
          }),
        );
      } catch (err) {
        const problem = err instanceof Error ? err.message : String(err);
        await deps.slack.chat.updateView(
          viewId,
          withProposal(view, { targetVersion: null, source: null, disagreements: [], problem }),
        );
      }
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 2 },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'proposal worker error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
