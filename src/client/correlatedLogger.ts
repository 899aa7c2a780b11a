import type { Logger } from '../util/Logger';
import { currentCorrelationId } from '../util/apiCallContext';

/** The app's logger, adding the current request's correlation ID to an event that names none. */
export function correlatedLogger(logger: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (obj: object, msg?: string): void => {
      const correlationId = currentCorrelationId();
      const event = correlationId === undefined || 'correlationId' in obj ? obj : { ...obj, correlationId };
      if (msg === undefined) logger[level](event);
      else logger[level](event, msg);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
