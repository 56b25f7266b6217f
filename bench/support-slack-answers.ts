/**
 * Slack's Web API as the benchmarks see it, wherever it is served from (nock or a local server):
 * answers like Slack's, and a tally of the calls the bot made. Unlike test/support/fake-slack.ts
 * it keeps no bodies (a long benchmark would pile them up), and each views.open gets its own view
 * id, as in Slack: the bot keys the modal's proposal job by view id, and a shared id would make
 * every proposal after the first a no-op — less work after each /rollback than a real one causes.
 */

export function decodeSlackBody(raw: string): Record<string, unknown> {
  return raw.trimStart().startsWith('{')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
}

export function slackAnswer(method: string, form: Record<string, unknown>, n: number): unknown {
  const ts = `1795521600.${String(n).padStart(6, '0')}`;
  switch (method) {
    case 'auth.test':
      return { ok: true, user_id: 'UBOT00001', bot_id: 'BBOT00001', team_id: 'T0TEAM001', user: 'rollback-commander' };
    case 'chat.postMessage':
      return { ok: true, channel: form.channel, ts };
    case 'chat.update':
      return { ok: true, channel: form.channel, ts: form.ts };
    case 'views.open':
    case 'views.update':
      return { ok: true, view: { id: `V0BENCH${n}`, hash: `h${n}` } };
    case 'usergroups.users.list':
      return { ok: true, users: [] };
    default:
      return { ok: true };
  }
}

export interface SlackTally {
  count(method: string): number;
  /** Texts of the ephemeral answers, oldest first. */
  ephemerals: string[];
  record(method: string, ephemeralText?: string): void;
  waitFor(what: string, done: () => boolean, timeoutMs?: number): Promise<void>;
}

export function createSlackTally(): SlackTally {
  const counts = new Map<string, number>();
  const ephemerals: string[] = [];
  return {
    count: (method) => counts.get(method) ?? 0,
    ephemerals,
    record(method, text) {
      counts.set(method, (counts.get(method) ?? 0) + 1);
      if (method === 'chat.postEphemeral') ephemerals.push(text ?? '');
    },
    async waitFor(what, done, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; Slack calls so far: ${JSON.stringify(Object.fromEntries(counts))}`,
          );
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };
}
