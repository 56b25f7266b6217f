/**
 * The one wrapper every Slack listener goes through: only a UserFacingError's text reaches the
 * person; anything else (a library's error, an AppError wrapped by withContext) is answered with
 * an error id, and that id is in the log with the stack.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { Chat } from '../../src/adapters/slack/chat-port.ts';
import { guard, type ListenerArgs, type ListenerKit } from '../../src/app/slack/listeners/guard.ts';
import { UserFacingError, withContext } from '../../src/domain/errors.ts';

function kit() {
  const said: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  const chat = {
    postEphemeral: async (_channel: string, _user: string, message: { text: string }) => {
      said.push(message.text);
      return {};
    },
  } as unknown as Chat;
  const k: ListenerKit = { chat, log, firstAnswer: () => true };
  return { kit: k, said, lines };
}

function clickArgs(acks: unknown[]): ListenerArgs {
  return {
    ack: async (r?: unknown) => void acks.push(r ?? 'bare'),
    body: { user: { id: 'U1' }, channel: { id: 'C1' } },
  };
}

const secret = "connect ECONNREFUSED 10.0.0.7:5432 (password authentication failed for user 'app')";

it("answers a button's internal error with an error id, never its text, and logs the id with the stack", async () => {
  const { kit: k, said, lines } = kit();
  const acks: unknown[] = [];
  const internal = withContext('while reading the deployments', new Error(secret));
  await guard(k, { name: 'test button', ack: 'first' }, async () => {
    throw internal;
  })(clickArgs(acks));

  expect(acks).toEqual(['bare']);
  expect(said).toHaveLength(1);
  expect(said[0]).not.toContain('ECONNREFUSED');
  expect(said[0]).not.toContain('deployments');
  const id = /error id ([0-9a-f]{8})/.exec(said[0] ?? '')?.[1];
  expect(id).toBeDefined();
  const logged = lines.find((l) => l.errorId === id) as { err: { stack: string; message: string } } | undefined;
  expect(logged?.err.stack).toContain(secret);
});

it("shows a UserFacingError's own text, and a modal's internal error under the field as an error id", async () => {
  const { kit: k, said } = kit();
  const acks: unknown[] = [];
  await guard(k, { name: 'test button', ack: 'first' }, async () => {
    throw new UserFacingError('forbidden', 'only the captain may skip a step');
  })(clickArgs(acks));
  expect(said).toEqual(['only the captain may skip a step']);

  const viewAcks: unknown[] = [];
  await guard(k, { name: 'test modal', ack: 'outcome', errorField: 'reason' }, async () => {
    throw new TypeError(secret);
  })(clickArgs(viewAcks));
  expect(viewAcks).toHaveLength(1);
  const errors = (viewAcks[0] as { response_action: string; errors: { reason: string } }).errors;
  expect(errors.reason).toMatch(/^Something went wrong \(error id [0-9a-f]{8}\)/);
  expect(JSON.stringify(viewAcks)).not.toContain('ECONNREFUSED');
});
