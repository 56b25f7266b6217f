/**
 * Slack's Web API behind nock: every call is recorded (form bodies decoded, `blocks`/`view`
 * parsed), and answered like Slack does — message ts that increase, view ids, ok: true — unless a
 * test queues a different answer for a method (an error, a 429).
 */
import nock from 'nock';
import { until } from './wait.ts';

export const SLACK_ORIGIN = 'https://slack.test';
export const SLACK_API_URL = `${SLACK_ORIGIN}/api/`;

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** performance.now() when the call arrived (the bench measures from it). */
  at: number;
}

export interface FakeSlack {
  calls: SlackCall[];
  of(method: string): Record<string, unknown>[];
  /** The next call of `method` (matching `when`, if given) gets this status and body; then normal answers resume. */
  failNext(
    method: string,
    status: number,
    body: unknown,
    headers?: Record<string, string>,
    when?: (body: Record<string, unknown>) => boolean,
  ): void;
  waitFor(what: string, predicate: (calls: SlackCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

function decode(raw: string): Record<string, unknown> {
  const form = raw.trimStart().startsWith('{')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'view']) {
    if (typeof form[key] === 'string') form[key] = JSON.parse(form[key] as string);
  }
  return form;
}

export function startFakeSlack(): FakeSlack {
  const calls: SlackCall[] = [];
  const failures = new Map<
    string,
    {
      status: number;
      body: unknown;
      headers?: Record<string, string>;
      when?: (body: Record<string, unknown>) => boolean;
    }[]
  >();
  let ts = 1795521600_000100;
  nock(SLACK_ORIGIN)
    .persist()
    .post(/\/api\/.+/)
    .reply(async (req: Request) => {
      const method = new URL(req.url).pathname.replace('/api/', '');
      const body = decode(await req.text());
      calls.push({ method, body, at: performance.now() });
      const queued = failures.get(method) ?? [];
      const index = queued.findIndex((f) => !f.when || f.when(body));
      if (index >= 0) {
        const [failure] = queued.splice(index, 1);
        return [failure!.status, failure!.body, failure!.headers ?? {}];
      }
      return [200, answer(method, body, () => (ts += 100))];
    });
  return {
    calls,
    of: (method) => calls.filter((c) => c.method === method).map((c) => c.body),
    failNext(method, status, body, headers, when) {
      failures.set(method, [...(failures.get(method) ?? []), { status, body, headers, when }]);
    },
    async waitFor(what, predicate, timeoutMs = 15_000) {
      try {
        await until(`Slack: ${what}`, () => predicate(calls), timeoutMs);
      } catch (err) {
        const seen = calls.map(
          (c) =>
            `${c.method} ${String(c.body.channel ?? '')} ${String(c.body.thread_ts ?? '')} ${String(c.body.text ?? '').slice(0, 160)}`,
        );
        throw new Error(`${(err as Error).message}; calls so far:\n${seen.join('\n')}`);
      }
    },
    close: () => nock.cleanAll(),
  };
}

function answer(method: string, body: Record<string, unknown>, nextTs: () => number): unknown {
  const tsString = () => (nextTs() / 1_000_000).toFixed(6);
  switch (method) {
    case 'auth.test':
      return { ok: true, user_id: 'UBOT00001', bot_id: 'BBOT00001', team_id: 'T0TEAM001', user: 'rollback-commander' };
    case 'chat.postMessage':
      return { ok: true, channel: body.channel, ts: tsString() };
    case 'chat.update':
      return { ok: true, channel: body.channel, ts: body.ts };
    case 'views.open':
    case 'views.update':
      return { ok: true, view: { id: (body.view_id as string) ?? 'V0MODAL01', hash: `h${Date.now()}` } };
    case 'usergroups.users.list':
      return { ok: true, users: [] };
    default:
      return { ok: true };
  }
}
