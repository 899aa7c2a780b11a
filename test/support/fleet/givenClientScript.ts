// A script that passes its own Redis client, makes one API call (which makes the library's subscriber
// connection), quits its client and forgets close(): it must still end by itself.
import Redis from 'ioredis';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';

const own = new Redis(process.env['SCRIPT_REDIS_URL']!);
const services = createCtpServices(loadCtpConfig(), { redis: { client: own } });
const { body } = await (await services.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute();
process.stdout.write(`called ${body.id}\n`);
await own.quit();
process.stdout.write('done\n');
