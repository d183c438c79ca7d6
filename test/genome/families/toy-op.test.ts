import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, runCampaign } from '../../../coordinator/campaign.ts';
import { parseSpec } from '../../../coordinator/spec.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { EmbeddedTransport } from '../../../coordinator/transport/embedded.ts';
import { exportKernel } from '../../../export/index.ts';
import { problemFrom } from '../../../genome/ops/index.ts';
import { silentLogger } from '../../../lib/log.ts';
import { Evaluator } from '../../../worker/evaluator.ts';
import './toy-family.ts';

const TOY_FAMILY = new URL('./toy-family.ts', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'kevo-toy-op-'));
let evaluator: Evaluator;

beforeAll(async () => {
  // The worker thread learns the toy op the way the test process did: by importing its module.
  evaluator = await Evaluator.create({ threads: 1, backends: ['wasm'], name: 'toy', families: [TOY_FAMILY] });
});
afterAll(async () => {
  await evaluator.close();
});

describe('an op registered from a test file alone', () => {
  it('runs a campaign through the embedded transport, stores verified kernels, and exports the best', async () => {
    const store = Store.open(join(dir, 'toy.db'));
    const spec = parseSpec({
      problems: [{ op: 'vadd', shape: '33x21' }],
      budget: { evaluations: 3 },
      population: 3,
      seed: 1,
      db: 'x',
      timing: { timingMs: 20, minSamples: 3, maxSamples: 10 },
    });
    const transport = new EmbeddedTransport(evaluator, 1);
    try {
      const run = await runCampaign(createCampaign(store, spec), { store, transport, log: silentLogger });
      expect(run).toMatchObject({ status: 'done', evaluations: 3 });
    } finally {
      await transport.close();
    }
    const problem = problemFrom('vadd', '33x21');
    const best = store.best(problem);
    expect(best.length).toBeGreaterThan(0);
    expect(best[0]!.genome).toMatchObject({ op: 'vadd', backend: 'wasm', family: 'simd' });
    expect(best[0]!.precision).toBe('f32');

    const out = join(dir, 'export');
    await exportKernel(store, best[0]!.kernelId, out);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta.abi.entry).toBe('vadd');
    expect(meta.abi.inputs.map((t: { name: string }) => t.name)).toEqual(['X', 'Z']);
    expect(meta.abi.output).toMatchObject({ name: 'Y', dims: [33, 21], dtype: 'f32' });
    const { load } = await import(join(out, 'index.js'));
    const kernel = await load();
    const y: Float32Array = kernel.run(new Float32Array(33 * 21).fill(1.5), new Float32Array(33 * 21).fill(2));
    expect([...new Set(y)]).toEqual([3.5]);
    store.close();
  });

  it('is known to no source file outside the tests', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const sources = (folder: string): string[] =>
      readdirSync(folder).flatMap((name) => {
        const path = join(folder, name);
        if (['node_modules', 'test', '.git'].includes(name)) return [];
        return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
      });
    const knowing = sources(root).filter((path) => /\bvadd\b/.test(readFileSync(path, 'utf8')));
    expect(knowing).toEqual([]);
  });
});
