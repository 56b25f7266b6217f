/** Reading what the fake Slack was sent: the newest checklist in a channel, its buttons, a thread. */
import type { KnownBlock } from '../../src/adapters/slack/block-kit.ts';
import type { FakeSlack } from './fake-slack.ts';

/** The newest checklist blocks shown in a channel (the post, then each update). */
export function latestChecklist(slack: FakeSlack, channel: string): KnownBlock[] {
  const shown = slack.calls.filter(
    (c) =>
      (c.method === 'chat.update' || (c.method === 'chat.postMessage' && !c.body.thread_ts)) &&
      c.body.channel === channel,
  );
  return shown.at(-1)!.body.blocks as KnownBlock[];
}

export function findButton(
  blocks: KnownBlock[],
  actionId: string,
  stepId: string,
): { action_id: string; value: string } | null {
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    for (const el of block.elements) {
      if (
        el.type === 'button' &&
        el.action_id === actionId &&
        el.value?.startsWith('{') &&
        JSON.parse(el.value).stepId === stepId
      )
        return { action_id: actionId, value: el.value };
    }
  }
  return null;
}

/** Every line posted in a channel's threads, in order. */
export function threadText(slack: FakeSlack, channel: string): string {
  return slack
    .of('chat.postMessage')
    .filter((m) => m.thread_ts && m.channel === channel)
    .map((m) => m.text as string)
    .join('\n');
}
