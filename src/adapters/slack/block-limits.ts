/**
 * Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit): a message over them is
 * rejected with `invalid_blocks`, so the checklist would silently stop updating mid-incident.
 * `checkBlockLimits` reports violations (tests run it on every render); `fitBlocks` truncates so
 * that even a 10 000-character error still renders, cut with "…".
 */

import type { KnownBlock, ModalView } from './block-kit.ts';
import { truncate } from './formatting.ts';

export type Surface = 'message' | 'modal';

export const LIMITS = {
  blocks: { message: 50, modal: 100 },
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  headerText: 150,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2000,
  url: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  radioOptions: 10,
  selectOptions: 100,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

export interface LimitViolation {
  path: string;
  rule: string;
  limit: number;
  actual: number;
}

type Obj = Record<string, unknown>;

class Checker {
  readonly violations: LimitViolation[] = [];

  max(path: string, rule: string, value: unknown, limit: number): void {
    const actual = typeof value === 'string' ? value.length : Array.isArray(value) ? value.length : 0;
    if (actual > limit) this.violations.push({ path, rule, limit, actual });
  }

  text(path: string, rule: string, obj: unknown, limit: number): void {
    if (obj && typeof obj === 'object') this.max(path, rule, (obj as Obj).text, limit);
  }

  element(path: string, el: Obj): void {
    this.max(`${path}.action_id`, 'action_id length', el.action_id, LIMITS.actionId);
    this.text(`${path}.placeholder`, 'placeholder length', el.placeholder, LIMITS.placeholder);
    if (el.type === 'button') {
      this.text(`${path}.text`, 'button label length', el.text, LIMITS.buttonText);
      this.max(`${path}.value`, 'button value length', el.value, LIMITS.buttonValue);
      this.max(`${path}.url`, 'button url length', el.url, LIMITS.url);
    }
    if (el.confirm && typeof el.confirm === 'object') {
      const c = el.confirm as Obj;
      this.text(`${path}.confirm.title`, 'confirm title length', c.title, LIMITS.confirmTitle);
      this.text(`${path}.confirm.text`, 'confirm text length', c.text, LIMITS.confirmText);
      this.text(`${path}.confirm.confirm`, 'confirm button length', c.confirm, LIMITS.confirmButton);
      this.text(`${path}.confirm.deny`, 'deny button length', c.deny, LIMITS.confirmButton);
    }
    const options = Array.isArray(el.options) ? (el.options as Obj[]) : [];
    this.max(
      `${path}.options`,
      'options per element',
      options,
      el.type === 'radio_buttons' ? LIMITS.radioOptions : LIMITS.selectOptions,
    );
    options.forEach((o, i) => {
      this.text(`${path}.options[${i}].text`, 'option text length', o.text, LIMITS.optionText);
      this.max(`${path}.options[${i}].value`, 'option value length', o.value, LIMITS.optionValue);
    });
  }

  block(path: string, block: Obj): void {
    this.max(`${path}.block_id`, 'block_id length', block.block_id, LIMITS.blockId);
    switch (block.type) {
      case 'section': {
        this.text(`${path}.text`, 'section text length', block.text, LIMITS.sectionText);
        const fields = Array.isArray(block.fields) ? block.fields : [];
        this.max(`${path}.fields`, 'fields per section', fields, LIMITS.sectionFields);
        for (const [i, f] of fields.entries())
          this.text(`${path}.fields[${i}]`, 'field text length', f, LIMITS.fieldText);
        if (block.accessory) this.element(`${path}.accessory`, block.accessory as Obj);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? (block.elements as Obj[]) : [];
        this.max(`${path}.elements`, 'elements per context', elements, LIMITS.contextElements);
        for (const [i, e] of elements.entries())
          this.text(`${path}.elements[${i}]`, 'context text length', e, LIMITS.contextText);
        break;
      }
      case 'header':
        this.text(`${path}.text`, 'header text length', block.text, LIMITS.headerText);
        break;
      case 'actions': {
        const elements = Array.isArray(block.elements) ? (block.elements as Obj[]) : [];
        this.max(`${path}.elements`, 'elements per actions block', elements, LIMITS.actionsElements);
        for (const [i, e] of elements.entries()) this.element(`${path}.elements[${i}]`, e);
        break;
      }
      case 'input':
        this.text(`${path}.label`, 'input label length', block.label, LIMITS.inputLabel);
        this.text(`${path}.hint`, 'input hint length', block.hint, LIMITS.inputHint);
        if (block.element) this.element(`${path}.element`, block.element as Obj);
        break;
    }
  }
}

export function checkBlockLimits(blocks: readonly KnownBlock[], surface: Surface = 'message'): LimitViolation[] {
  const checker = new Checker();
  checker.max('blocks', `blocks per ${surface}`, blocks, LIMITS.blocks[surface]);
  for (const [i, b] of blocks.entries()) checker.block(`blocks[${i}]`, b as unknown as Obj);
  return checker.violations;
}

export function checkViewLimits(view: ModalView): LimitViolation[] {
  const checker = new Checker();
  checker.text('title', 'view title length', view.title, LIMITS.viewTitle);
  checker.text('submit', 'view button length', view.submit, LIMITS.viewButton);
  checker.text('close', 'view button length', view.close, LIMITS.viewButton);
  checker.max('private_metadata', 'private_metadata length', view.private_metadata, LIMITS.privateMetadata);
  checker.max('callback_id', 'callback_id length', view.callback_id, LIMITS.callbackId);
  return [...checker.violations, ...checkBlockLimits(view.blocks as KnownBlock[], 'modal')];
}

function fitText<T>(obj: T, limit: number): T {
  if (!obj || typeof obj !== 'object') return obj;
  const text = (obj as Obj).text;
  return typeof text === 'string' && text.length > limit ? { ...obj, text: truncate(text, limit) } : obj;
}

function fitBlock(block: KnownBlock): KnownBlock {
  switch (block.type) {
    case 'section':
      return {
        ...block,
        ...(block.text ? { text: fitText(block.text, LIMITS.sectionText) } : {}),
        ...(block.fields
          ? { fields: block.fields.slice(0, LIMITS.sectionFields).map((f) => fitText(f, LIMITS.fieldText)) }
          : {}),
      };
    case 'context':
      return {
        ...block,
        elements: block.elements.slice(0, LIMITS.contextElements).map((e) => fitText(e, LIMITS.contextText)),
      };
    case 'header':
      return { ...block, text: fitText(block.text, LIMITS.headerText) };
    case 'actions':
      return {
        ...block,
        elements: block.elements
          .slice(0, LIMITS.actionsElements)
          .map((e) => (e.type === 'button' ? { ...e, text: fitText(e.text, LIMITS.buttonText) } : e)),
      };
    default:
      return block;
  }
}

/**
 * Truncate every text to its limit and, past the block limit, replace the tail with one context
 * line, so Slack shows a shortened message instead of rejecting the whole update.
 */
export function fitBlocks(blocks: readonly KnownBlock[], surface: Surface = 'message'): KnownBlock[] {
  const fitted = blocks.map(fitBlock);
  const max = LIMITS.blocks[surface];
  if (fitted.length <= max) return fitted;
  const hidden = fitted.length - (max - 1);
  return [
    ...fitted.slice(0, max - 1),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `… ${hidden} more blocks not shown (Slack allows ${max}).` }],
    },
  ];
}
