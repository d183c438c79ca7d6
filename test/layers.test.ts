import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every relative import of every .ts file under `folder`, as a path from the repository root. */
function importsUnder(folder: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    for (const match of readFileSync(path, 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'/g)) {
      found.push({ file: relative(root, path), target: relative(root, resolve(dirname(path), match[1]!)) });
    }
  }
  return found;
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** `folder` (but not the subfolders in `except`) imports nothing under any of `forbidden`. */
function expectNoImports(folder: string, forbidden: readonly string[], except: readonly string[] = []): void {
  const breaches = importsUnder(folder).filter(({ file, target }) => !except.some((e) => under(file, e)) && forbidden.some((f) => under(target, f)));
  expect(breaches.map(({ file, target }) => `${file} -> ${target}`)).toEqual([]);
}

describe('who may import whom', () => {
  it('genome/ (the pure core) imports nothing above it: protocol/ depends on genome/, not the reverse', () => {
    expectNoImports('genome', ['protocol', 'coordinator', 'worker', 'verifiers', 'llm', 'cli', 'serve', 'export']);
  });

  it('protocol/ imports no side that speaks it', () => {
    expectNoImports('protocol', ['coordinator', 'worker', 'verifiers', 'llm', 'cli', 'serve', 'export']);
  });

  it('the worker never imports the coordinator', () => {
    // worker/nats still shares the NATS wire layout with coordinator/transport; moving it below both is under way (#9).
    expectNoImports('worker', ['coordinator', 'cli', 'serve'], ['worker/nats']);
  });

  it('strategies know no store: they report, the coordinator records', () => {
    expectNoImports('coordinator/strategies', ['coordinator/store', 'coordinator/transport']);
  });
});
