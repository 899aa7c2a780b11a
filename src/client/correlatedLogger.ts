import type { Logger } from '../util/Logger';
import { currentCorrelationId } from '../util/apiCallContext';

/**
 * The app's logger, with the current request's correlation ID added to every event logged inside
 * one (an event that names its own keeps it). Outside a request it logs the event unchanged.
 */
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
