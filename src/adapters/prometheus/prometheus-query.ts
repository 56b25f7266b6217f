/** Prometheus' instant-query HTTP API (`/api/v1/query`), for the error-rate check after a revert. */
import { UserFacingError } from '../../domain/errors.ts';
import type { MetricQuery } from '../../flows/ports/metrics.ts';

export function createPrometheusQuery(baseUrl: string, fetchImpl: typeof fetch = fetch): MetricQuery {
  return {
    async instant(query, at) {
      const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
      url.searchParams.set('query', query);
      if (at) url.searchParams.set('time', (at.getTime() / 1000).toFixed(3));
      let res: Response;
      try {
        res = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw new UserFacingError(
          'upstream_unavailable',
          `cannot reach Prometheus at ${url.origin}: ${(err as Error).message}`,
          { cause: err, transient: true },
        );
      }
      const body = (await res.json().catch(() => null)) as {
        status?: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      } | null;
      if (res.status >= 500)
        throw new UserFacingError('upstream_unavailable', `Prometheus answered ${res.status}`, { transient: true });
      if (!res.ok || body?.status !== 'success') {
        throw new UserFacingError(
          'invalid_input',
          `Prometheus rejected the error-rate query (${res.status}: ${body?.error ?? 'no detail'}): fix verify.prometheus.query in rollback.yml`,
        );
      }
      return scalarOf(body.data);
    },
  };
}

function scalarOf(data: { resultType: string; result: unknown } | undefined): number | null {
  if (!data) return null;
  if (data.resultType === 'scalar') return Number((data.result as [number, string])[1]);
  const vector = data.result as { value: [number, string] }[];
  if (!vector.length) return null;
  // Several series: the worst one decides.
  return Math.max(...vector.map((s) => Number(s.value[1])));
}
