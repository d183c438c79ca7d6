import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../../lib/errors.ts';
import { apiKeyFromEnv, LlmOptions } from '../../llm/options.ts';

describe('LlmOptions', () => {
  it('fills defaults for the spec and CLI fields', () => {
    expect(LlmOptions.parse({ baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5-coder' })).toMatchObject({ share: 0.3, review: 'off', maxRetries: 2, concurrency: 2 });
  });

  it.each([
    [{ baseUrl: 'localhost', model: 'm' }, /baseUrl/],
    [{ baseUrl: 'file:///etc/passwd', model: 'm' }, /baseUrl: expected an http\(s\) URL/],
    [{ baseUrl: 'ftp://x/v1', model: 'm' }, /baseUrl: expected an http\(s\) URL/],
    [{ baseUrl: 'javascript:alert(1)', model: 'm' }, /baseUrl: expected an http\(s\) URL/],
    [{ baseUrl: 'http://x/v1', model: '' }, /model/],
    [{ baseUrl: 'http://x/v1', model: 'm', share: 1.5 }, /share/],
    [{ baseUrl: 'http://x/v1', model: 'm', maxCost: -1 }, /maxCost/],
    [{ baseUrl: 'http://x/v1', model: 'm', maxCost: 5 }, /maxCost: a cost budget needs a price per 1k tokens/],
    [{ baseUrl: 'http://x/v1', model: 'm', apiKey: 'sk-x' }, /apiKey/],
  ])('rejects %j naming the field', (input, field) => {
    expect(() => parseOrThrow(LlmOptions, input, 'LLM options')).toThrow(field);
  });

  it('takes the key from KEVO_LLM_API_KEY only', () => {
    expect(apiKeyFromEnv({ KEVO_LLM_API_KEY: 'sk-1' })).toBe('sk-1');
    expect(apiKeyFromEnv({})).toBe('unset');
  });
});
