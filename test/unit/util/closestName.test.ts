import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../../src/util/closestName';

describe(editDistance, () => {
  it('should count insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('url', 'url')).toBe(0);
    expect(editDistance('urll', 'url')).toBe(1);
    expect(editDistance('url', 'uri')).toBe(1);
    expect(editDistance('enigne', 'engine')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe(closestName, () => {
  const options = ['authTimeoutMs', 'apiTimeoutMs', 'api', 'redis', 'retry', 'storageTimeoutMs'];

  it('should ignore case', () => {
    expect(closestName('authTimeoutMS', options)).toBe('authTimeoutMs');
  });

  it('should find a name one or two edits away', () => {
    expect(closestName('redsi', options)).toBe('redis');
    expect(closestName('storageTimeotMs', options)).toBe('storageTimeoutMs');
    expect(closestName('engin', ['engine', 'retry', 'middlewares'])).toBe('engine');
    // Three edits, but the longer name has ten letters.
    expect(closestName('maxRetry', ['maxRetries', 'baseDelayMs', 'maxDelayMs'])).toBe('maxRetries');
  });

  it('should take the nearest of several close names', () => {
    expect(closestName('apiTimeoutMs', options)).toBe('apiTimeoutMs');
    expect(closestName('apTimeoutMs', options)).toBe('apiTimeoutMs');
  });

  it('should offer nothing when no name is close, rather than a wrong correction', () => {
    expect(closestName('logLevel', options)).toBeUndefined();
    expect(closestName('x', options)).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
  });
});
