import { describe, expect, it } from 'vitest';
import { clip, quote } from '../../lib/quote.ts';

describe('quote', () => {
  it('quotes short text as it is', () => {
    expect(quote('512x512x512')).toBe('"512x512x512"');
  });

  it('cuts long text to 80 characters and says how long it was', () => {
    const line = quote('9'.repeat(100_000));
    expect(line).toBe(`"${'9'.repeat(80)}…" (100000 characters)`);
  });

  it('escapes control bytes, DEL, C1 controls and line separators', () => {
    expect(quote('a\u0000b\u001b[31m\n\u007f\u0085\u2028')).toBe('"a\\u0000b\\u001b[31m\\n\\u007f\\u0085\\u2028"');
  });

  it('never cuts a character in half', () => {
    expect(quote('😀'.repeat(100), 3)).toBe('"😀😀😀…" (100 characters)');
  });
});

describe('clip', () => {
  it('escapes control bytes in a message that quotes input, unquoted, and cuts it', () => {
    expect(clip('Unexpected token \u0000, "\u0001\u0002" is not valid JSON')).toBe('Unexpected token \\u0000, \\"\\u0001\\u0002\\" is not valid JSON');
    expect(clip('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
