/** Prometheus' instant query, for verify_cutover's error-rate check (adapters/prometheus/prometheus-query.ts). */
export interface MetricQuery {
  /** The query's scalar value at `at` (now when omitted); null when the query returns no series. */
  instant(query: string, at?: Date): Promise<number | null>;
}
