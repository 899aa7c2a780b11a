import type { AddressInfo } from 'node:net';
import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { applyPlatformPatches, type GrantRecord } from './platformPatches';
import { seedProject, type SeededProject } from './seedProject';

export interface EmbeddedCommercetools {
  projectKey: string;
  clientId: string;
  clientSecret: string;
  /** Auth and API are served by one server here; the platform has two hosts. */
  authUrl: string;
  apiUrl: string;
  seeded: SeededProject;
  /** Every token request the server answered, in order. */
  grants: GrantRecord[];
  close(): Promise<void>;
}

/**
 * Starts @labdigital/commercetools-mock on 127.0.0.1 with a free port and authentication on, makes it
 * stricter where the journey needs it, and seeds categories, published products and one customer.
 */
export async function startEmbeddedCommercetools(projectKey = 'demo-project'): Promise<EmbeddedCommercetools> {
  const mock = new CommercetoolsMock({ enableAuthentication: true, validateCredentials: true, silent: true, defaultProjectKey: projectKey });
  const grants: GrantRecord[] = [];
  applyPlatformPatches(mock, projectKey, grants);
  await mock.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = mock.app.server.address() as AddressInfo;
  const seeded = await seedProject(mock, projectKey);
  const url = `http://127.0.0.1:${port}`;
  return {
    projectKey,
    clientId: 'embedded-client',
    clientSecret: 'embedded-secret-not-for-production',
    authUrl: url,
    apiUrl: url,
    seeded,
    grants,
    close: () => mock.app.close(),
  };
}
