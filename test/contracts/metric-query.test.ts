/**
 * The MetricQuery contract (flows/ports/metrics.ts), run against the Prometheus adapter talking
 * HTTP to a local server that answers like Prometheus' /api/v1/query, and the in-memory fake.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusQuery } from '../../src/adapters/prometheus/prometheus-query.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { MetricQuery } from '../../src/flows/ports.ts';
import { createFakeMetricQuery, type FakeAnswer } from '../fakes/fake-metric-query.ts';

interface Harness {
  metrics: MetricQuery;
  answer(query: string, answer: FakeAnswer): void;
}

const served = new Map<string, FakeAnswer>();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = served.get(url.searchParams.get('query') ?? '') ?? { series: [] };
    res.setHeader('content-type', 'application/json');
    if ('error' in answer) {
      res.statusCode = 400;
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: answer.error }));
      return;
    }
    const at = Number(url.searchParams.get('time') ?? Date.now() / 1000);
    const data =
      'scalar' in answer
        ? { resultType: 'scalar', result: [at, String(answer.scalar)] }
        : {
            resultType: 'vector',
            result: answer.series.map((v, i) => ({ metric: { pod: `api-${i}` }, value: [at, String(v)] })),
          };
    res.end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let n = 0;
const implementations: [string, () => Harness][] = [
  ['Prometheus HTTP API', () => ({ metrics: createPrometheusQuery(baseUrl), answer: (q, a) => void served.set(q, a) })],
  [
    'in-memory fake',
    () => {
      const fake = createFakeMetricQuery();
      return { metrics: fake, answer: (q, a) => void fake.answers.set(q, a) };
    },
  ],
];

describe.each(implementations)('MetricQuery contract: %s', (_name, make) => {
  it('answers the worst of several series, a scalar as it is, and null when there is no series', async () => {
    const h = make();
    const q = (name: string) => `${name}_${n++}`;
    const [several, scalar, none] = [q('errors'), q('ratio'), q('absent')];
    h.answer(several, { series: [0.01, 0.07, 0.02] });
    h.answer(scalar, { scalar: 0.5 });
    expect(await h.metrics.instant(several)).toBe(0.07);
    expect(await h.metrics.instant(scalar, new Date('2026-12-01T10:00:00Z'))).toBe(0.5);
    expect(await h.metrics.instant(none)).toBeNull();
  });

  it('says to fix the configured query when Prometheus rejects it', async () => {
    const h = make();
    const query = `rate(bad[5m]_${n++}`;
    h.answer(query, { error: 'parse error: unclosed left parenthesis' });
    const err = await h.metrics.instant(query).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_input');
    expect((err as AppError).message).toBe(
      'Prometheus rejected the error-rate query (400: parse error: unclosed left parenthesis): fix verify.prometheus.query in rollback.yml',
    );
  });
});
