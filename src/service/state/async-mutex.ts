/**
 * Runs async work one at a time, in call order. better-sqlite3 has one connection per store and its
 * calls are synchronous, but a transaction's work awaits between them; without this, a second
 * transaction could start its statements inside the first one.
 */
export class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
