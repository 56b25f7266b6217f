/** An in-memory MetricQuery (flows/ports/metrics.ts): the value each query answers, set by the test. */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { MetricQuery } from '../../src/flows/ports.ts';

export type FakeAnswer = { series: number[] } | { scalar: number } | { error: string };

export interface FakeMetricQuery extends MetricQuery {
  answers: Map<string, FakeAnswer>;
  /** Every query asked, with its time (undefined: now). */
  asked: { query: string; at?: Date }[];
}

export function createFakeMetricQuery(): FakeMetricQuery {
  const answers = new Map<string, FakeAnswer>();
  const asked: { query: string; at?: Date }[] = [];
  return {
    answers,
    asked,
    async instant(query, at) {
      asked.push({ query, at });
      const answer = answers.get(query) ?? { series: [] };
      if ('error' in answer) {
        throw new UserFacingError(
          'invalid_input',
          `Prometheus rejected the error-rate query (400: ${answer.error}): fix verify.prometheus.query in rollback.yml`,
        );
      }
      if ('scalar' in answer) return answer.scalar;
      // Several series: the worst one decides.
      return answer.series.length ? Math.max(...answer.series) : null;
    },
  };
}
