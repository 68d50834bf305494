/**
 * Runs tasks one at a time, in the order they were asked for: settings writes and rule updates
 * never interleave, so two pages cannot lose each other's changes.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
}
