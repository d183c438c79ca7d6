import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { opFor, parseProblem, referencesOf } from '../../genome/ops/index.ts';
import { campaignOver, kevo, kevoInProcess, type BestKernel } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-int8-'));

/**
 * A user's script: imports the exported module with plain Node (no kevo, no
 * tsx), fills the inputs with the values it is given and prints every
 * output (one typed array, or an array of them in ABI order). The kernel
 * packs its weights at load time: setWeights() takes those (named by
 * tensors.weights), run() the others.
 */
const SCRIPT = `
const [moduleUrl, inputsJson] = process.argv.slice(2);
const { load, tensors } = await import(moduleUrl);
const kernel = await load();
const types = { i8: Int8Array, u8: Uint8Array, i16: Int16Array };
const inputs = JSON.parse(inputsJson).map((values, i) => types[tensors.inputs[i].dtype].from(values));
const weights = tensors.weights.map((name) => tensors.inputs.findIndex((t) => t.name === name));
kernel.setWeights(...weights.map((i) => inputs[i]));
const c = kernel.run(...inputs.filter((_, i) => !weights.includes(i)));
console.log(JSON.stringify((tensors.outputs ? c : [c]).map((o) => ({ type: o.constructor.name, values: [...o] }))));
`;

const VARIANTS = [['i8', []], ['u8i8', []], ['i16', []], ['i16', ['--exponent-block', '32']], ['i16', ['--exponent-block', '32', '--output', 'i16']]] as const;
const fields = (extra: readonly string[]) => ({ ...(extra.length > 0 ? { exponentBlock: 32 } : {}), ...(extra.includes('--output') ? { output: 'i16' } : {}) });

describe('i8 / u8i8 / i16 [exponentBlock 32] [output i16] matmul campaigns (the bin), export, and the module in a plain script', () => {
  const db = join(dir, 'kevo.db');
  let best: BestKernel[] = [];
  beforeAll(async () => {
    // One campaign over the five problems: one node and one pool, where a run each would start them five times.
    ({ best } = await campaignOver(
      dir,
      db,
      VARIANTS.map(([dtype, extra]) => ({ op: 'matmul', shape: '37x53x40', dtype, ...fields(extra) })),
      { budget: { evaluations: 4 }, population: 4, threads: 2, timing: { timingMs: 40 }, promote: 0 },
    ));
  }, 240_000);

  VARIANTS.forEach(([dtype, extra], i) => {
    const variant = [dtype, ...extra].join(' ');
    const file = [dtype, ...extra].join('').replace(/\W+/g, '-');
    it(`${variant}: finds a verified integer kernel faster than its baseline, and its export is bit exact on fresh inputs`, async () => {
      expect(best[i]!.genome).toMatchObject({ backend: 'wasm', family: 'int8' });
      // A SIMD tile against the scalar loop, timed side by side in the same job.
      expect(best[i]!.speedup).toBeGreaterThan(1);

      // The bin exports the first; main() in process the others (the same command without a node start each).
      const out = join(dir, `${file}-export`);
      const args = ['export', best[i]!.kernelId.slice(0, 8), '--out', out, '--db', db];
      const exported = i === 0 ? await kevo(args, { cwd: dir }) : await kevoInProcess(args);
      expect(exported.code, exported.stderr).toBe(0);
      const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
      expect(meta.problem).toMatchObject({ dtype, shape: { m: 37, n: 53, k: 40 } });
      const requantized = extra.includes('--output' as never);
      expect([...meta.abi.inputs, ...(meta.abi.outputs ?? [meta.abi.output])].map((t: { name: string; dtype: string }) => `${t.name}:${t.dtype}`)).toEqual(
        extra.length > 0
          ? ['A:i16', 'a_exponents:i8', 'B:i16', 'b_exponents:i8', ...(requantized ? ['C:i16', 'c_shift:i8'] : ['C:i32'])]
          : { i8: ['A:i8', 'B:i8', 'C:i32'], u8i8: ['A:u8', 'a_zero_point:u8', 'B:i8', 'b_zero_point:i8', 'C:i32'], i16: ['A:i16', 'B:i16', 'C:i32'] }[dtype],
      );

      const problem = parseProblem(meta.problem);
      const op = opFor(problem);
      // Full-range values, extremes included: i16 products of them overflow i32 sums, which must wrap. Block
      // exponents within a few binades of each other, so both blocks count.
      const full = (t: { name: string; dtype: string }, e: number, i: number) =>
        t.name.endsWith('exponents') ? ((e * 5 + i) % 13) - 6 : t.dtype === 'u8' ? (e * 37 + i * 11) % 256 : t.dtype === 'i16' ? ((e * 4099 + i * 7) % 65536) - 32768 : ((e * 53 + i * 7) % 256) - 128;
      const fresh = op.inputs(problem).map((t, i) => Array.from({ length: t.dims.reduce((a, b) => a * b, 1) }, (_, e) => full(t, e, i)));
      const script = join(dir, `${file}-user.mjs`);
      writeFileSync(script, SCRIPT);
      const { stdout } = await promisify(execFile)(process.execPath, [script, pathToFileURL(join(out, 'index.js')).href, JSON.stringify(fresh)]);
      const got = JSON.parse(stdout);
      expect(got.map((o: { type: string }) => o.type)).toEqual(requantized ? ['Int16Array', 'Int8Array'] : ['Int32Array']);
      const typed = op.inputs(problem).map((t, i) => ({ u8: Uint8Array, i8: Int8Array, i16: Int16Array })[t.dtype as 'u8'].from(fresh[i]!));
      expect(got.map((o: { values: number[] }) => o.values)).toEqual(referencesOf(op, problem, typed).map((r) => [...r]));
    });
  });
});
