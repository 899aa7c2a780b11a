// A script as an app's one-off job would write it: services from the CTP_* environment (with
// CTP_REDIS_URL, so the library makes its own Redis client), one API call, close(). It never calls
// process.exit: the test checks that it ends by itself. CLOSE_SKIP=1 leaves close() out (the control).
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';

// CLOSE_CLUSTER_URLS (comma-separated): a Redis Cluster client made from redis.clusterUrls instead.
const clusterUrls = process.env['CLOSE_CLUSTER_URLS']?.split(',');
const services = createCtpServices(loadCtpConfig(), {
  redis: { commandTimeoutMs: 1_000, ...(clusterUrls ? { clusterUrls } : {}) },
});
const { body } = await (await services.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute();
process.stdout.write(`called ${body.id}\n`);
if (process.env['CLOSE_SKIP'] !== '1') await services.close();
process.stdout.write('done\n');
