import { describe, expect, it } from 'vitest';
import type { KnownBlock } from '../../src/adapters/slack/block-kit.ts';
import { checkBlockLimits, checkViewLimits, fitBlocks } from '../../src/adapters/slack/block-limits.ts';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (label: string, value = 'v'): Record<string, unknown> => ({
  type: 'button',
  action_id: 'a',
  text: { type: 'plain_text', text: label },
  value,
});

describe('checkBlockLimits', () => {
  it('accepts a message at the limits', () => {
    const blocks = Array.from({ length: 50 }, () => section('x'.repeat(3000)));
    expect(checkBlockLimits(blocks)).toEqual([]);
  });

  it('reports each limit Slack would reject the message for', () => {
    const blocks = [
      section('x'.repeat(3001)),
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'c'.repeat(3001) }] },
      { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) },
      { type: 'actions', elements: [button('L'.repeat(76), 'v'.repeat(2001))] },
      ...Array.from({ length: 46 }, () => section('ok')),
    ] as KnownBlock[];
    const rules = checkBlockLimits(blocks).map((v) => `${v.path} ${v.rule} ${v.actual}>${v.limit}`);
    expect(rules).toEqual([
      'blocks blocks per message 51>50',
      'blocks[0].text section text length 3001>3000',
      'blocks[1].text header text length 151>150',
      'blocks[2].elements[0] context text length 3001>3000',
      'blocks[3].elements elements per actions block 26>25',
      'blocks[4].elements[0].text button label length 76>75',
      'blocks[4].elements[0].value button value length 2001>2000',
    ]);
  });

  it('allows 100 blocks in a modal but not in a message', () => {
    const blocks = Array.from({ length: 100 }, () => section('x'));
    expect(checkBlockLimits(blocks, 'modal')).toEqual([]);
    expect(checkBlockLimits(blocks, 'message')).toHaveLength(1);
  });

  it('checks a modal title, whose limit is 24 characters', () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'A title that is far too long' },
      blocks: [],
    };
    expect(checkViewLimits(view).map((v) => v.rule)).toEqual(['view title length']);
  });
});

describe('fitBlocks', () => {
  it('truncates oversized text with an ellipsis so Slack shows it instead of rejecting the message', () => {
    const blocks = [
      section('e'.repeat(10_000)),
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(400) } },
      { type: 'actions', elements: Array.from({ length: 30 }, () => button('L'.repeat(100))) },
    ] as KnownBlock[];
    const fitted = fitBlocks(blocks);
    expect(checkBlockLimits(fitted)).toEqual([]);
    const text = (fitted[0] as { text: { text: string } }).text.text;
    expect(text).toHaveLength(3000);
    expect(text.endsWith('e…')).toBe(true);
  });

  it('replaces the tail past 50 blocks with one line saying how many are not shown', () => {
    const fitted = fitBlocks(Array.from({ length: 60 }, (_, i) => section(`block ${i}`)));
    expect(fitted).toHaveLength(50);
    expect(JSON.stringify(fitted[48])).toContain('block 48');
    expect(JSON.stringify(fitted[49])).toContain('11 more blocks not shown');
  });

  it('never splits an emoji in half when cutting', () => {
    const text = `${'a'.repeat(2998)}😀😀`;
    const fitted = fitBlocks([section(text)]);
    const cut = (fitted[0] as { text: { text: string } }).text.text;
    expect(cut).toBe(`${'a'.repeat(2998)}…`);
  });
});
