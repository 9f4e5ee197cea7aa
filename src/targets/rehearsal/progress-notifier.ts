/**
 * `onProgress` for the rehearsal target: listeners hear the name of a database whose restore details
 * may have changed. Calls are deferred to a later turn of the event loop (`setImmediate`), never made
 * inside the call that caused the change, and batched: one call per database and listener for all
 * the changes of one turn. A listener that throws is reported through `onError`; the others still
 * hear.
 */
type Listener = (databaseName: string) => void;

export class ProgressNotifier {
  readonly #onError: (error: unknown) => void;
  /** One object per subscription: the same function subscribed twice is called twice. */
  readonly #subscriptions = new Set<{ readonly listener: Listener }>();
  readonly #pending = new Set<string>();
  #scheduled = false;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  subscribe(listener: Listener): () => void {
    const subscription = { listener };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** The details of `databaseName` may have changed: tell the listeners soon. */
  changed(databaseName: string): void {
    if (this.#subscriptions.size === 0) return;
    this.#pending.add(databaseName);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#flush();
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const names = [...this.#pending];
    this.#pending.clear();
    const subscriptions = [...this.#subscriptions];
    for (const name of names) {
      for (const subscription of subscriptions) {
        // Unsubscribed by an earlier listener of this flush: it hears nothing more.
        if (!this.#subscriptions.has(subscription)) continue;
        try {
          subscription.listener(name);
        } catch (error) {
          this.#onError(error);
        }
      }
    }
  }
}
