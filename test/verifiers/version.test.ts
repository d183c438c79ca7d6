import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HARNESS_HISTORY, HARNESS_SOURCES, HARNESS_VERSION } from '../../verifiers/version.ts';

const root = new URL('../../', import.meta.url);

/** sha256 over each source's path and text, line endings normalized so a checkout's settings do not matter. */
function fingerprint(): string {
  const hash = createHash('sha256');
  for (const path of HARNESS_SOURCES) hash.update(`${path}\n${readFileSync(new URL(path, root), 'utf8').replace(/\r\n/g, '\n')}\n`);
  return hash.digest('hex');
}

describe('the harness version', () => {
  it('is numbered 1, 2, ... and the current one is the last', () => {
    expect(HARNESS_HISTORY.map((h) => h.version)).toEqual(HARNESS_HISTORY.map((_, i) => i + 1));
    expect(HARNESS_VERSION).toBe(HARNESS_HISTORY.length);
  });

  it('no two versions share a fingerprint', () => {
    const prints = HARNESS_HISTORY.map((h) => h.fingerprint).filter((p) => p !== null);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('is bumped whenever a stage, comparison or tolerance changes (see verifiers/version.ts)', () => {
    const now = fingerprint();
    expect(
      HARNESS_HISTORY.at(-1)!.fingerprint,
      `the harness sources changed: append { version: ${HARNESS_VERSION + 1}, fingerprint: '${now}' } to HARNESS_HISTORY in verifiers/version.ts`,
    ).toBe(now);
  });
});
