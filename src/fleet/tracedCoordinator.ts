import type { CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { TokenCoordinator } from '../tokens/TokenCoordinator';

/** The fleet's coordination as a span (ctp.fleet.coordinate: the lock wait or the wait for another instance, the grant nested). */
export function tracedCoordinator(coordinator: TokenCoordinator, t: CtpTelemetry): TokenCoordinator {
  return {
    shared: (id, grant, isFresh) =>
      t.span('ctp.fleet.coordinate', { 'ctp.token.owner': id.name }, () => coordinator.shared(id, grant, isFresh)),
    refresh: (token, refresh, isFresh) =>
      t.span('ctp.fleet.coordinate', { 'ctp.token.owner': 'shopper' }, () =>
        coordinator.refresh(token, refresh, isFresh),
      ),
    endLineage: (refreshToken, ttlMs) => coordinator.endLineage(refreshToken, ttlMs),
  };
}
