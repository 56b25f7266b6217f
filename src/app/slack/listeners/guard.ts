/**
 * The one wrapper every Bolt listener goes through: it acks (at once, or — for a modal — with the
 * outcome, so a refusal shows in the modal itself) and turns every error into an answer. Only a
 * UserFacingError's text is shown; anything else gets an error id that is logged with its stack.
 * Nothing is swallowed.
 */
import type {
  AllMiddlewareArgs,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { Logger } from 'pino';
import type { Chat } from '../../../adapters/slack/chat-port.ts';
import { escapeMrkdwn, truncate } from '../../../adapters/slack/formatting.ts';
import { newErrorId, userFacingText } from '../../../domain/errors.ts';
import { mentionsAsText } from '../../../domain/user-text.ts';

/** What Bolt gives a command, action or view listener (the parts the wrapper reads). */
export interface ListenerArgs {
  ack(response?: unknown): Promise<void>;
  body: unknown;
  command?: { channel_id?: string; user_id?: string };
}

export interface GuardOptions<A> {
  /** For the log. */
  name: string;
  /**
   * 'first' (buttons, the slash command's default): ack at once, then the work; errors are
   * answered ephemerally. 'outcome' (modal submissions, the slash command's own answers): the
   * work acks when it knows what to say; an error before that goes under `errorField`.
   */
  ack: 'first' | 'outcome';
  /** For modals: the input an error is shown under. */
  errorField?: string;
  /** Answer an error only once per key (identical clicks in a burst). */
  answerOnce?: (args: A) => string | null;
}

export interface ListenerKit {
  chat: Chat;
  log: Logger;
  /** True the first time a key is seen within the throttle window. */
  firstAnswer(key: string): boolean;
}

/** The text a person sees for an error: ours as written, anything else as an error id. */
function explain(log: Logger, err: unknown, context: Record<string, unknown>): string {
  const text = userFacingText(err);
  if (text !== null) {
    log.info({ err, ...context }, 'refused or failed with a known error');
    return text;
  }
  const errorId = newErrorId();
  log.error({ err, errorId, ...context }, 'unexpected error in a Slack listener');
  return `Something went wrong (error id ${errorId}); nothing more was done. The bot's log has the details.`;
}

/** Every private answer is escaped here: error texts quote what people typed. */
export async function tell(kit: ListenerKit, channel: string | undefined, user: string, text: string): Promise<void> {
  if (!channel) return;
  await kit.chat
    .postEphemeral(channel, user, { text: escapeMrkdwn(text) })
    .catch((err) => kit.log.error({ err, channel, user }, 'could not answer ephemerally'));
}

/** Who acted and where, for a command, a button or a modal. */
function whoAndWhere(args: ListenerArgs): { user: string; channel: string | undefined } {
  if (args.command) return { user: args.command.user_id ?? '', channel: args.command.channel_id };
  const body = args.body as { user?: { id?: string }; channel?: { id?: string } };
  return { user: body.user?.id ?? '', channel: body.channel?.id };
}

/**
 * After an ack, let the event loop read the requests already waiting before doing this one's
 * work: acks stay as quick as a bare app's when a burst arrives together.
 */
export const yieldToAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

export function guard<A extends ListenerArgs>(
  kit: ListenerKit,
  options: GuardOptions<A>,
  work: (args: A) => Promise<void>,
): (args: A) => Promise<void> {
  return async (args) => {
    let acked = false;
    const ack = async (response?: unknown) => {
      if (acked) return;
      acked = true;
      await args.ack(response);
    };
    if (options.ack === 'first') {
      await ack();
      await yieldToAcks();
    }
    try {
      await work({ ...args, ack } as A);
      await ack();
    } catch (err) {
      const text = explain(kit.log, err, { listener: options.name });
      if (!acked && options.errorField) {
        await ack({
          response_action: 'errors',
          errors: { [options.errorField]: truncate(mentionsAsText(text), 3000) },
        });
        return;
      }
      await ack();
      const key = options.answerOnce?.(args);
      if (key && !kit.firstAnswer(key)) return;
      const { user, channel } = whoAndWhere(args);
      await tell(kit, channel, user, text);
    }
  };
}

/** Bolt's argument types for the three kinds of listener, for `guard`'s callers. */
export type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
export type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
