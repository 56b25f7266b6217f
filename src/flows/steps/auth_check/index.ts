/**
 * Runbook: "Validate RLS/auth flows using docs/ops/troubleshooting/rls-failures.md". Configured
 * HTTP probes (an anonymous request must get 401, a test user 200, …) with header values read
 * from env vars named in the config — a value is never written to the output, the timeline or
 * an error. With no probes configured, a person follows the doc and confirms.
 */
import ms from 'ms';
import type { AuthProbeConfig } from '../../../config/validation.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import type { RunExecutor, StepContext } from '../../executor.ts';

export type ProbeResult = {
  name: string;
  method: string;
  url: string;
  expected: number;
  status: number | null;
  ok: boolean;
  error?: string;
  headers: string[];
};

export function createAuthCheck(deps: { env?: NodeJS.ProcessEnv; docBaseUrl: string }): RunExecutor {
  return {
    async run(ctx) {
      const { probes, troubleshooting_doc } = ctx.config.validation.auth;
      const doc = docLink(troubleshooting_doc, deps.docBaseUrl);
      if (probes.length === 0) {
        return {
          outcome: 'awaiting_confirmation',
          summary: `No auth probes configured: validate the RLS/auth flows by hand with ${doc}, then press Confirm`,
          output: { manual: true, doc },
        };
      }
      const env = deps.env ?? process.env;
      const results: ProbeResult[] = [];
      for (const probe of probes) results.push(await runProbe(ctx, probe, env));
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new UserFacingError(
          'upstream_error',
          `${failed.length} of ${results.length} auth probes failed: ${failed.map(describe).join('; ')}. Follow ${doc}, then Retry — or Skip with a reason`,
        );
      }
      return {
        outcome: 'succeeded',
        summary: `All ${results.length} auth probes answered as expected: ${results.map(describe).join('; ')}`,
        output: { probes: results, doc },
      };
    },
  };
}

/** A repo path becomes a link to it on the default branch; a URL is kept as is. */
export function docLink(doc: string, baseUrl: string): string {
  return /^https?:\/\//.test(doc) ? doc : `${baseUrl.replace(/\/+$/, '')}/${doc.replace(/^\/+/, '')}`;
}

async function runProbe(ctx: StepContext, probe: AuthProbeConfig, env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  const headers: Record<string, string> = {};
  for (const [name, variable] of Object.entries(probe.headers)) {
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new UserFacingError(
        'config_invalid',
        `auth probe "${probe.name}" sends ${name} from ${variable}, but ${variable} is not set in the bot's environment: set it, or change validation.auth.probes in rollback.yml`,
      );
    }
    headers[name] = value;
  }
  const base = {
    name: probe.name,
    method: probe.method,
    url: probe.url,
    expected: probe.expected_status,
    headers: Object.keys(probe.headers),
  };
  const timeout = ctx.config.validation.auth.timeout;
  try {
    // A redirect (say, to a login page) is an answer to check, not something to follow.
    const res = await fetch(probe.url, {
      method: probe.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout)]),
    });
    await res.body?.cancel();
    return { ...base, status: res.status, ok: res.status === probe.expected_status };
  } catch (err) {
    if (ctx.signal.aborted) throw new UserFacingError('aborted', 'the auth check was aborted');
    const timedOut = (err as Error).name === 'TimeoutError';
    const reason = timedOut ? `no answer within ${ms(timeout, { long: true })}` : causeOf(err);
    return { ...base, status: null, ok: false, error: reason };
  }
}

function describe(r: ProbeResult): string {
  const got = r.status === null ? (r.error ?? 'no answer') : String(r.status);
  return `${r.name} (${r.method} ${r.url}) → ${got}${r.ok ? '' : `, expected ${r.expected}`}`;
}

/** fetch wraps the network error ("fetch failed"); the cause says what happened (ECONNREFUSED, …). */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
