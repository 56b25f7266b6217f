/**
 * Block Kit types, taken from Bolt's re-export of @slack/types (Bolt is our declared dependency;
 * @slack/types is only a transitive one). Type-only: nothing here exists at run time.
 */
import type { types } from '@slack/bolt';
import { cleanUserText } from '../../domain/user-text.ts';

export type KnownBlock = types.KnownBlock;
export type SectionBlock = types.SectionBlock;
export type ActionsBlock = types.ActionsBlock;
export type ContextBlock = types.ContextBlock;
export type HeaderBlock = types.HeaderBlock;
export type InputBlock = types.InputBlock;
export type Button = types.Button;
export type ModalView = types.ModalView;
export type PlainTextOption = types.PlainTextOption;
export type MrkdwnElement = types.MrkdwnElement;
export type PlainTextElement = types.PlainTextElement;

export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

/** Plain text shows no markup, but control and bidi-override characters would still reach people. */
export function plain(text: string): PlainTextElement {
  return { type: 'plain_text', text: cleanUserText(text), emoji: true };
}
