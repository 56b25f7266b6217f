/**
 * Checkpoints for steps that make independent GitHub calls at once (pause/resume). Each save
 * snapshots the record when it is called and the writes reach Postgres in call order, so a slower
 * earlier write never overwrites a newer snapshot. Once a save has failed, every later one fails
 * too: what follows could not be recorded, and the step must stop as a crashed worker would.
 */
export function serialCheckpoint<T>(record: T, checkpoint: (snapshot: T) => Promise<void>): () => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return () => {
    const snapshot = structuredClone(record);
    last = last.then(() => checkpoint(snapshot));
    return last;
  };
}

/**
 * Promise.all that waits for every branch before failing, so a failed step leaves no call of its
 * own still running behind it (a Retry must not race the attempt it replaces).
 */
export async function allOrFirstError(tasks: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
