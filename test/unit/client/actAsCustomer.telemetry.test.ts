import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { ALICE } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const spans = new InMemorySpanExporter();

beforeAll(() => {
  otel.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
});

describe('ctpClient.actAsCustomer telemetry', () => {
  it('should make one span naming the agent and the customer, with the error code on failure, and no token', async () => {
    const { client, platform } = createTestServices({ telemetry: { api: otel } });
    await client.actAsCustomer(ALICE.id, { agentId: 'agent-7' }, async ({ apiRoot }) => {
      await apiRoot.customers().withId({ ID: ALICE.id }).get().execute();
    });
    await client
      .actAsCustomer(ALICE.id, { agentId: 'agent-8', lockCart: true }, async () => 'never called')
      .catch(() => undefined);
    const acting = spans.getFinishedSpans().filter((s) => s.name === 'ctp.act_as_customer');
    expect(acting.map((s) => s.attributes)).toEqual([
      { 'ctp.agent_id': 'agent-7', 'ctp.customer_id': ALICE.id, 'ctp.lock_cart': false },
      {
        'ctp.agent_id': 'agent-8',
        'ctp.customer_id': ALICE.id,
        'ctp.lock_cart': true,
        'error.type': CtpErrorCode.CartNotFound,
      },
    ]);
    const calls = spans.getFinishedSpans().filter((s) => s.name === 'ctp.api.call');
    expect(calls.map((s) => s.attributes['ctp.token.owner'])).toEqual(['customerService', 'customerService']);
    const shown = JSON.stringify(spans.getFinishedSpans().map((s) => s.attributes));
    for (const token of platform.mock.issuedTokens) expect(shown).not.toContain(token);
  });
});
