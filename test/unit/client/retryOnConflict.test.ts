import { describe, expect, it } from 'vitest';
import { currentApiCallContext, withApiCallOptions } from '../../../src/util/apiCallContext';
import { retryOnConflict } from '../../../src/client/retryOnConflict';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';

const conflict = () =>
  new CtpApiError('conflict', { code: CtpErrorCode.ApiConflict, status: 409, apiCodes: ['ConcurrentModification'] });

describe('retryOnConflict', () => {
  describe('when fn keeps meeting ConcurrentModification', () => {
    it('should run it 1 + maxRetries times, then throw the last conflict', async () => {
      let runs = 0;
      const seen: number[] = [];
      const error = await retryOnConflict(
        async () => {
          runs += 1;
          throw conflict();
        },
        { maxRetries: 2, onConflict: (_e, attempt) => void seen.push(attempt) },
      ).catch((e: unknown) => e);
      expect(runs).toBe(3);
      expect(seen).toEqual([1, 2]);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiConflict });
    });
  });

  describe('when fn fails otherwise', () => {
    it.each([
      [
        'a 409 DuplicateField',
        new CtpApiError('dup', { code: CtpErrorCode.ApiConflict, status: 409, apiCodes: ['DuplicateField'] }),
      ],
      ['a 404', new CtpApiError('nf', { code: CtpErrorCode.ApiNotFound, status: 404, apiCodes: ['ResourceNotFound'] })],
      ['a plain error', new Error('boom')],
    ])('should not re-run it on %s', async (_name, thrown) => {
      let runs = 0;
      await expect(
        retryOnConflict(async () => {
          runs += 1;
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect(runs).toBe(1);
    });
  });

  it('should refuse a bad maxRetries', async () => {
    await expect(retryOnConflict(async () => 1, { maxRetries: -1 })).rejects.toMatchObject({
      code: CtpErrorCode.ConfigInvalid,
    });
  });
});

describe('withApiCallOptions', () => {
  describe('when nested', () => {
    it('should keep the earlier deadline, cancel on either signal, and keep the outer correlation ID', () => {
      const outer = new AbortController();
      const inner = new AbortController();
      withApiCallOptions({ timeoutMs: 1_000, signal: outer.signal, correlationId: 'outer-id-1' }, () => {
        const first = currentApiCallContext()!;
        withApiCallOptions({ timeoutMs: 60_000, signal: inner.signal }, () => {
          const ctx = currentApiCallContext()!;
          expect(ctx.deadline).toBe(first.deadline);
          expect(ctx.correlationId).toBe('outer-id-1');
          expect(ctx.signal?.aborted).toBe(false);
          inner.abort();
          expect(ctx.signal?.aborted).toBe(true);
          expect(first.signal?.aborted).toBe(false);
        });
      });
      expect(currentApiCallContext()).toBeUndefined();
    });
  });
});
