import { CtpError } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** A call's argument is not what it must be; `.argument` names it, its value is never repeated. */
export class CtpArgumentError extends CtpError {
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(CtpErrorCode.InvalidArgument, message);
    this.argument = argument;
  }
}
