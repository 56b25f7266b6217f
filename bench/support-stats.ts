/**
 * Latency samples kept per measure and per run: each run gives its own p50/p99, and the tables
 * show the median of those over the runs (one noisy run on a shared machine moves nothing).
 */

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Summary {
  /** Median over runs of each run's p50 / p99. */
  p50: number;
  p99: number;
  /** Samples per run. */
  perRun: number;
}

export interface Samples {
  add(measure: string, run: number, values: readonly number[]): void;
  summary(measure: string): Summary;
}

export function createSamples(): Samples {
  const byMeasure = new Map<string, Map<number, number[]>>();
  return {
    add(measure, run, values) {
      const runs = byMeasure.get(measure) ?? new Map<number, number[]>();
      runs.set(run, [...(runs.get(run) ?? []), ...values]);
      byMeasure.set(measure, runs);
    },
    summary(measure) {
      const runs = [...(byMeasure.get(measure)?.values() ?? [])];
      if (runs.length === 0) throw new Error(`no samples for ${measure}`);
      return {
        p50: median(runs.map((r) => percentile(r, 50))),
        p99: median(runs.map((r) => percentile(r, 99))),
        perRun: runs[0]!.length,
      };
    },
  };
}

/** "ok", or by how much the value is over its limit — never anything kinder. */
export function verdict(value: number, limit: number): string {
  return value <= limit ? 'ok' : `MISSED by ${round(value - limit)} ms`;
}
