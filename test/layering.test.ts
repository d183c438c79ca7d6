import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Static imports, re-exports, side-effect imports and dynamic import() of a relative path. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every relative import of every file under `folder`, as repository paths. */
function importsOf(folder: string): { file: string; target: string }[] {
  return sources(folder).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => ({
      file: relative(ROOT, file),
      target: relative(ROOT, resolve(dirname(file), match[1]!)),
    })),
  );
}

/** The imports from `folder` into any of `forbidden`, as "file -> target" lines. */
function breaches(folder: string, forbidden: readonly string[]): string[] {
  return importsOf(folder)
    .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
    .map(({ file, target }) => `${file} -> ${target}`);
}

describe('layering', () => {
  it('genome/ (the pure core) imports nothing above it: protocol/ depends on genome/, not the reverse', () => {
    expect(importsOf('genome')).toContainEqual({ file: 'genome/spaces.ts', target: 'genome/target.ts' });
    expect(breaches('genome', ['protocol', 'coordinator', 'worker', 'verifiers', 'llm', 'cli', 'serve', 'export'])).toEqual([]);
  });

  it('protocol/ imports no side that speaks it', () => {
    expect(breaches('protocol', ['coordinator', 'worker', 'verifiers', 'llm', 'cli', 'serve', 'export'])).toEqual([]);
  });

  it('strategies know no store or transport: they report, the coordinator records (coordinator/llm-records.ts)', () => {
    expect(importsOf('coordinator/strategies').length).toBeGreaterThan(0);
    expect(breaches('coordinator/strategies', ['coordinator/store', 'coordinator/transport'])).toEqual([]);
  });

  it('the worker never imports the coordinator (the NATS wire layout lives in protocol/)', () => {
    const imports = importsOf('worker');
    // The scan sees the worker's real imports, so an empty list cannot pass for a clean one.
    expect(imports).toContainEqual({ file: 'worker/nats/worker.ts', target: 'protocol/nats/topology.ts' });
    expect(imports.filter((i) => i.target.startsWith('coordinator/'))).toEqual([]);
  });

  it('benchmarks never import the tests (shared parts live in testkit/)', () => {
    const imports = importsOf('bench');
    expect(imports).toContainEqual({ file: 'bench/transport.ts', target: 'testkit/nats-server.ts' });
    expect(imports.filter((i) => i.target.startsWith('test/'))).toEqual([]);
  });
});
