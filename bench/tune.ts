/**
 * `kevo tune` end to end (`npm run bench:tune [-- --budget N]`): builds the
 * test models (testkit/onnx-models.ts) into a temp folder, runs the real
 * command on each (embedded, one fresh database), and prints what it
 * measured: the whole model with kevo's best kernels against
 * onnxruntime-web on one thread, interleaved medians, outputs checked.
 * Goal (issue #12): the DS-CNN at >= 1.5x onnxruntime-web with matching outputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import type { TuneReport } from '../cli/tune.ts';
import { writeTestModels } from '../testkit/onnx-models.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const budget = flag('--budget', '48');
const dir = mkdtempSync(join(tmpdir(), 'kevo-bench-tune-'));
const models = writeTestModels(dir);

/** `kevo tune MODEL --json`, in this process, its stdout taken as the report. */
async function tune(model: string): Promise<TuneReport> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  try {
    const code = await main(['node', 'kevo', 'tune', model, '--budget', budget, '--rounds', '21', '--json', '--db', join(dir, 'kevo.db')]);
    if (code !== 0) throw new Error(`kevo tune ${model} exited ${code}`);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out) as TuneReport;
}

try {
  const rows: string[] = [];
  for (const [name, path] of [['ds-cnn', models.dscnn], ['mlp-w4', models.mlp], ['matmul-integer', models.integer]] as const) {
    const r = await tune(path);
    for (const n of r.nodes) {
      process.stderr.write(`${name} ${n.nodes.join(',').padEnd(24)} ${n.ops.padEnd(18)} share ${(100 * n.share).toFixed(1).padStart(5)}%  ${n.speedup ? `tuned ${n.speedup.toFixed(2)}x over kevo's baseline` : `not tuned: ${n.notTuned}`}${n.lowering ? ` [${n.lowering}]` : ''}\n`);
    }
    const m = r.measured;
    if ('error' in m) rows.push(`${name}: not measured (${m.error})`);
    else
      rows.push(
        `${name}: onnxruntime-web ${m.ortMs.toFixed(3)} ms (in-runtime ${m.ortRunMs.toFixed(3)} ms), kevo ${m.kevoMs.toFixed(3)} ms -> ${m.speedup.toFixed(2)}x session.run, ${m.speedupVsOrtRun.toFixed(2)}x in-runtime; projected ${r.projected.toFixed(2)}x; outputs ${m.outputsMatch ? 'match' : 'MISMATCH'} (max err ${Math.max(...m.outputs.map((o) => o.maxError)).toExponential(1)})`,
      );
  }
  process.stdout.write(`kevo tune, budget ${budget} per model, 1 thread each side, medians of 21 interleaved rounds\n${rows.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
