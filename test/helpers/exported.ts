import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

/** An exported WASM kernel run from a plain node script (no loader, no kevo) on `inputs`; its output comes back. */
export function runExported(out: string, inputs: Float32Array[]): number[] {
  const script = `import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}).then(async (m) => {
    const k = await m.load();
    const inputs = ${JSON.stringify(inputs.map((t) => [...t]))}.map((v) => Float32Array.from(v));
    console.log(JSON.stringify([...k.run(...inputs)]));
  });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}
