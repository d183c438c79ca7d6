import { KevoError } from '../../lib/errors.ts';
import type { Backend } from '../backend.ts';
import { convF16WasmFamilies } from './conv-f16-wasm.ts';
import { convInt16WasmFamilies } from './conv-int16-wasm.ts';
import { convWasmFamilies } from './conv-wasm.ts';
import { convWinogradWasm } from './conv-winograd-wasm.ts';
import { convF16WebgpuFamilies, convWebgpuFamilies } from './conv-webgpu.ts';
import { accuracyOf, numericAccuracy, type Accuracy } from '../ops/accuracy.ts';
import type { KernelFamily } from './family.ts';
import type { Problem } from '../ops/problem.ts';
import { matmulF16Wasm } from './matmul-f16-wasm.ts';
import { matmulF16Webgpu } from './matmul-f16-webgpu.ts';
import { matmulInt4Wasm } from './matmul-int4-wasm.ts';
import { matmulInt8Wasm } from './matmul-int8-wasm.ts';
import { matmulI16Webgpu } from './matmul-i16-webgpu.ts';
import { matmulInt8Webgpu } from './matmul-int8-webgpu.ts';
import { matmulPrecisionWasm } from './matmul-precision-wasm.ts';
import { matmulW4Webgpu } from './matmul-w4-webgpu.ts';
import { matmulW4a8Webgpu } from './matmul-w4a8-webgpu.ts';
import { matmulWasm } from './matmul-wasm.ts';
import { matmulWebgpu } from './matmul-webgpu.ts';

const families: KernelFamily[] = [];

/**
 * Makes a kernel family known to this process. Built-in families register
 * here; a new op's module registers its op and families when imported, and
 * worker threads and GPU processes import the same module (RunnerOptions.families).
 * Families are keyed two ways: (op, backend, genome family name) parses a
 * stored genome, (op, problem dtype, backend) runs a problem's search; a
 * family taking a key another already holds is refused. An alternative
 * algorithm (a family with `offers`) takes no search key: its genomes join
 * the owner's search where it offers itself (genome/spaces.ts).
 */
export function registerFamily(family: KernelFamily): void {
  if (families.includes(family)) return;
  if (findGenomeFamily(family.op, family.backend, family.name)) {
    throw new KevoError('BAD_INPUT', `a kernel family "${family.name}" for ${family.op}/${family.backend} is already registered`);
  }
  const taken = family.offers
    ? undefined
    : family.dtypes.find((dtype) => families.some((f) => !f.offers && f.op === family.op && f.backend === family.backend && f.numericAccuracy === family.numericAccuracy && f.dtypes.includes(dtype)));
  if (taken) throw new KevoError('BAD_INPUT', `a kernel family for ${family.op} ${taken}${family.numericAccuracy ? ' under a numeric accuracy' : ''} on ${family.backend} is already registered`);
  families.push(family);
}

/**
 * The family whose search runs problems of (op, dtype) on the backend; with
 * `numericAccuracy` (the problem's accuracy is a number) the family that
 * claims those if one does, else the plain one. Alternatives (families that
 * `offers` themselves) never own a search.
 */
export function findFamily(op: string, backend: string, dtype = 'f32', numericAccuracy = false): KernelFamily | undefined {
  const runs = (f: KernelFamily, numeric: boolean) => !f.offers && f.op === op && f.backend === backend && f.dtypes.includes(dtype) && f.numericAccuracy === numeric;
  return (numericAccuracy ? families.find((f) => runs(f, true)) : undefined) ?? families.find((f) => runs(f, false));
}

/** The alternative algorithms that join the search for this problem on the backend. */
export function alternativesFor(problem: Problem, backend: string): KernelFamily[] {
  return families.filter((f) => f.offers && f.op === problem.op && f.backend === backend && f.dtypes.includes(problem.dtype) && f.offers(problem));
}

/** The family whose genomes carry `family: name` for (op, backend). */
export function findGenomeFamily(op: string, backend: string, name: string): KernelFamily | undefined {
  return families.find((f) => f.op === op && f.backend === backend && f.name === name);
}

export function familyFor(op: string, backend: Backend, dtype = 'f32', numericAccuracy = false): KernelFamily {
  const family = findFamily(op, backend, dtype, numericAccuracy);
  if (!family) throw new KevoError('BAD_INPUT', `no kernel family runs op "${op}" with dtype ${dtype} on backend ${backend}`);
  return family;
}

/** The family of a genome for a problem; BAD_INPUT when the genome is another op's, or its family does not compute the problem's dtype. */
export function familyOf(problem: { readonly op: string; readonly dtype: string; readonly accuracy?: Accuracy | undefined }, genome: { readonly op: string; readonly backend: Backend; readonly family: string }): KernelFamily {
  if (genome.op !== problem.op) throw new KevoError('BAD_INPUT', `a ${genome.op} genome cannot compute a ${problem.op} problem`);
  // A source genome is written for the problem's own dtype: the family of that dtype gives its ABI.
  const numeric = numericAccuracy(problem) !== undefined;
  if (genome.family === 'source') return familyFor(problem.op, genome.backend, problem.dtype, numeric);
  const family = findGenomeFamily(genome.op, genome.backend, genome.family);
  if (!family) throw new KevoError('BAD_INPUT', `no kernel family "${genome.family}" for ${genome.op} on ${genome.backend}`);
  if (!family.dtypes.includes(problem.dtype)) {
    throw new KevoError('BAD_INPUT', `a ${genome.family} genome computes ${family.dtypes.join(', ')}, not a ${problem.dtype} ${problem.op} problem`);
  }
  if (family.numericAccuracy && !numeric) {
    throw new KevoError('BAD_INPUT', `a ${genome.family} genome may quantize: it computes only problems with a numeric accuracy, not ${problem.op} under ${accuracyOf(problem)}`);
  }
  return family;
}

/** The backends an op has a family on (for any dtype). */
export function backendsOf(op: string): Backend[] {
  return [...new Set(families.filter((f) => f.op === op).map((f) => f.backend))];
}

registerFamily(matmulWasm);
registerFamily(matmulWebgpu);
registerFamily(matmulInt8Wasm);
convWasmFamilies.forEach(registerFamily);
registerFamily(convWinogradWasm);
convWebgpuFamilies.forEach(registerFamily);
convF16WasmFamilies.forEach(registerFamily);
convF16WebgpuFamilies.forEach(registerFamily);
registerFamily(matmulInt8Webgpu);
registerFamily(matmulF16Webgpu);
registerFamily(matmulF16Wasm);
registerFamily(matmulInt4Wasm);
registerFamily(matmulW4Webgpu);
registerFamily(matmulI16Webgpu);
registerFamily(matmulW4a8Webgpu);
convInt16WasmFamilies.forEach(registerFamily);
registerFamily(matmulPrecisionWasm);
