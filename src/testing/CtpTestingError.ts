/**
 * What ctp-client/testing throws when it cannot start (a missing optional package, a seed the mock
 * refused). Not a CtpError: the testing kit is not part of the library's error contract.
 */
export class CtpTestingError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CtpTestingError';
  }
}
