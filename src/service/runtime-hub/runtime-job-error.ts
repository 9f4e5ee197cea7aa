/**
 * A job of an integration runtime node that did not end well: the node's own error (its code and
 * message, as it sent them), or the service's (no node took the job, the service is stopping).
 */
export class RuntimeJobError extends Error {
  override readonly name = 'RuntimeJobError';
  /** `RuntimeUnavailable`, `ServiceStopping`, `Canceled`, or the code the node reported. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
