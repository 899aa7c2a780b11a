import { CtpError } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** Every configuration problem found at once, so one fix-and-retry cycle is enough. */
export class CtpConfigError extends CtpError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], code: CtpErrorCode = CtpErrorCode.ConfigInvalid) {
    super(
      code,
      `ctp-client configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.problems = Object.freeze([...problems]);
  }
}
