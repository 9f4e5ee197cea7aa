/** Why the engine refuses a request. Codes are stable: the API returns them with HTTP 409/404/400. */
export type EngineErrorCode =
  | 'MigrationNotFound'
  | 'MigrationExists'
  | 'OperationIdMismatch'
  | 'CutoverNotAllowed'
  | 'MigrationFinished'
  | 'InvalidConfiguration';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
