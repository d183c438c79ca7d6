import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

type Typed = Float32Array | Int16Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/**
 * An exported WASM kernel run from a plain node script (no loader, no kevo),
 * each input rebuilt there in its own typed array; the output comes back
 * with the name of the typed array the kernel returned. A kernel that packs
 * weights at load time gets them through setWeights() and run() the rest, as
 * its typings say; any other takes every input in run().
 */
export function runExportedWasm(out: string, inputs: readonly Typed[]): { type: string; values: number[] } {
  const script = `import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}).then(async (m) => {
    const k = await m.load();
    const inputs = ${JSON.stringify(inputs.map((t) => ({ type: t.constructor.name, values: [...t] })))}.map((t) => globalThis[t.type].from(t.values));
    const weights = (m.tensors.weights ?? []).map((name) => m.tensors.inputs.findIndex((t) => t.name === name));
    if (weights.length > 0) k.setWeights(...weights.map((i) => inputs[i]));
    const y = k.run(...inputs.filter((_, i) => !weights.includes(i)));
    console.log(JSON.stringify({ type: y.constructor.name, values: [...y] }));
  });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}
