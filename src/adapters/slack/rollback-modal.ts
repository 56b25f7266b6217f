/**
 * The confirm modal `/rollback` opens. It must open within 3 s of the command (the trigger_id
 * expires), so it opens with "computing…" for the target and `withProposal` fills the proposal
 * in by views.update once the worker has it.
 */

import type { AutopilotSettings } from '../../domain/autopilot.ts';
import { type Severity, TRIGGER_TITLES, TRIGGERS } from '../../domain/incident.ts';
import { CALLBACK_IDS, ROLLBACK_FIELDS as F } from './action-ids.ts';
import { autopilotPlanText } from './autopilot-text.ts';
import type { InputBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import type { ChecklistEnvironment } from './checklist-header.ts';
import { escapeMrkdwn, targetSourceTitle } from './formatting.ts';

// The submission parser lives beside the modal; re-exported so one import serves the listener.

export interface RollbackModalInput {
  environment: ChecklistEnvironment;
  now: Date;
  /** What `/rollback` already said; every field stays editable. */
  badVersion?: string | null;
  targetVersion?: string | null;
  severity?: Severity | null;
  issueUrl?: string | null;
  /** rollback.yml's autopilot switches: the modal says what will run by itself. Absent: all on. */
  autopilot?: AutopilotSettings;
  /** Passed through untouched (e.g. the channel the command came from), at most 3000 characters. */
  privateMetadata?: string;
}

/** The worker's answer to "which release do we go back to?" (PRODUCT.md `select_release`). */
export interface TargetProposal {
  targetVersion: string | null;
  /** known_good | replicaset_history | tags (formatting.ts names them). */
  source: string | null;
  /** Where the sources disagree, in words: "ReplicaSet history's previous revision runs v1.3.1". */
  disagreements: string[];
  /** Why nothing could be proposed, when targetVersion is null. */
  problem?: string;
}

export function renderRollbackModal(input: RollbackModalInput): ModalView {
  const env = input.environment;
  const kube = [env.kubeContext, env.namespace]
    .filter(Boolean)
    .map((s) => `\`${escapeMrkdwn(s ?? '')}\``)
    .join(' / ');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `Roll back *${escapeMrkdwn(env.name)}* (${kube}). Submitting opens an incident and posts the checklist in #incidents and #releases; ` +
          'the cluster changes only after the captain approves the target.',
      ),
    },
    textInput(F.badVersion, 'Bad release', input.badVersion, 'v1.2.3', 'The release that is misbehaving, as tagged.'),
    proposalBlock(null),
    {
      ...textInput(
        F.targetVersion,
        'Target release',
        input.targetVersion,
        'leave empty to take the proposal',
        'The captain approves the target in the checklist before any image changes.',
      ),
      optional: true,
    },
    severityInput(input.severity ?? 'P1'),
    triggerInput(),
    {
      type: 'input',
      block_id: F.issueUrl,
      optional: true,
      label: plain('Issue link'),
      element: {
        type: 'url_text_input',
        action_id: F.issueUrl,
        ...(input.issueUrl ? { initial_value: input.issueUrl } : {}),
      },
    },
    dateTimeInput(
      F.impactStartedAt,
      'First bad request',
      undefined,
      'When the first bad request happened, if known (logs, Grafana). TTD is measured from it.',
    ),
    dateTimeInput(F.detectedAt, 'Detected at', input.now, 'Defaults to now. The SLA clocks start here.'),
    ...autopilotBlocks(input.autopilot),
    drillBlock(),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.rollbackModal,
    title: plain('Start a rollback'),
    submit: plain('Start rollback'),
    close: plain('Cancel'),
    ...(input.privateMetadata ? { private_metadata: input.privateMetadata } : {}),
    blocks,
  };
}

/** The same modal with the proposal filled in, for views.update (inputs keep what was typed). */
export function withProposal(view: ModalView, proposal: TargetProposal): ModalView {
  return {
    ...view,
    blocks: view.blocks.map((b) => ('block_id' in b && b.block_id === F.proposal ? proposalBlock(proposal) : b)),
  };
}

function proposalBlock(proposal: TargetProposal | null): SectionBlock {
  return { type: 'section', block_id: F.proposal, text: mrkdwn(proposalText(proposal)) };
}

function proposalText(proposal: TargetProposal | null): string {
  if (!proposal)
    return ':hourglass_flowing_sand: *Proposed target:* computing… (known-good record, ReplicaSet history, tags)';
  if (!proposal.targetVersion) {
    const why = proposal.problem ? `: ${escapeMrkdwn(proposal.problem)}` : '';
    return `:warning: *No target proposed*${why}. Type one under *Target release*, or the captain picks one in the checklist.`;
  }
  const source = proposal.source ? ` from ${escapeMrkdwn(targetSourceTitle(proposal.source))}` : '';
  const lines = [`:dart: *Proposed target:* \`${escapeMrkdwn(proposal.targetVersion)}\`${source}`];
  for (const d of proposal.disagreements) lines.push(`:warning: ${escapeMrkdwn(d)}`);
  return lines.join('\n');
}

const AUTOPILOT_OPTION: PlainTextOption = {
  value: 'on',
  text: plain('Autopilot: start the steps that need no judgement by themselves'),
};

/** What autopilot will do, and the switch that turns it off for this incident (ticked by default). */
function autopilotBlocks(settings: AutopilotSettings | undefined): KnownBlock[] {
  const anyOn = !settings || Object.values(settings).some(Boolean);
  const plan: SectionBlock = {
    type: 'section',
    text: mrkdwn(
      settings
        ? autopilotPlanText(settings)
        : ':robot_face: *Autopilot* starts the steps that need no judgement by themselves.',
    ),
  };
  if (!anyOn) return [plan];
  return [
    plan,
    {
      type: 'input',
      block_id: F.autopilot,
      optional: true,
      label: plain('Autopilot'),
      element: {
        type: 'checkboxes',
        action_id: F.autopilot,
        options: [AUTOPILOT_OPTION],
        initial_options: [AUTOPILOT_OPTION],
      },
    },
  ];
}

const DRILL_OPTION: PlainTextOption = { value: 'drill', text: plain('This is a drill (game day)') };

/** Issue 9 §4: a drill is marked everywhere and posts no issue comment or #releases milestones — but acts for real. */
function drillBlock(): InputBlock {
  return {
    type: 'input',
    block_id: F.drill,
    optional: true,
    label: plain('Drill'),
    hint: plain(
      'Marks the incident as a rehearsal everywhere. It still acts on the real cluster; no issue comment, no #releases milestones.',
    ),
    element: { type: 'checkboxes', action_id: F.drill, options: [DRILL_OPTION] },
  };
}

function textInput(
  id: string,
  label: string,
  initial: string | null | undefined,
  placeholder: string,
  hint: string,
): InputBlock {
  return {
    type: 'input',
    block_id: id,
    label: plain(label),
    hint: plain(hint),
    element: {
      type: 'plain_text_input',
      action_id: id,
      placeholder: plain(placeholder),
      max_length: 64,
      ...(initial ? { initial_value: initial } : {}),
    },
  };
}

function option(value: string, text: string, description?: string): PlainTextOption {
  return { value, text: plain(text), ...(description ? { description: plain(description) } : {}) };
}

const SEVERITY_OPTIONS: Record<Severity, PlainTextOption> = {
  P1: option('P1', 'P1 — outage or SLO breach'),
  P2: option('P2', 'P2 — degraded, a workaround exists'),
};

function severityInput(initial: Severity): InputBlock {
  return {
    type: 'input',
    block_id: F.severity,
    label: plain('Severity'),
    hint: plain(
      'P1 has a decision and a restore deadline, P2 a restore or forward-fix deadline; the checklist counts them down.',
    ),
    element: {
      type: 'static_select',
      action_id: F.severity,
      options: Object.values(SEVERITY_OPTIONS),
      initial_option: SEVERITY_OPTIONS[initial],
    },
  };
}

function triggerInput(): InputBlock {
  return {
    type: 'input',
    block_id: F.trigger,
    label: plain('Trigger'),
    hint: plain(
      'Security exposure and data corruption mark the incident critical: the backup restore step is offered.',
    ),
    element: {
      type: 'radio_buttons',
      action_id: F.trigger,
      options: TRIGGERS.map((t) => option(t, TRIGGER_TITLES[t])),
    },
  };
}

function dateTimeInput(id: string, label: string, initial: Date | undefined, hint: string): InputBlock {
  return {
    type: 'input',
    block_id: id,
    optional: initial === undefined,
    label: plain(label),
    hint: plain(hint),
    element: {
      type: 'datetimepicker',
      action_id: id,
      ...(initial ? { initial_date_time: Math.floor(initial.getTime() / 1000) } : {}),
    },
  };
}
