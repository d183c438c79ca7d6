import { KevoError } from '../../lib/errors.ts';
import type { Backend } from '../backend.ts';
import { convF16WasmFamilies } from './conv-f16-wasm.ts';
import { convInt16WasmFamilies } from './conv-int16-wasm.ts';
import { convWasmFamilies } from './conv-wasm.ts';
import { convWinogradWasm } from './conv-winograd-wasm.ts';
import { convF16WebgpuFamilies, convWebgpuFamilies } from './conv-webgpu.ts';
import { accuracyOf } from '../ops/accuracy.ts';
import type { KernelFamily, Offer } from './family.ts';
import type { Problem } from '../ops/problem.ts';
import { matmulF16Wasm } from './matmul-f16-wasm.ts';
import { matmulF16Webgpu } from './matmul-f16-webgpu.ts';
import { matmulInt4Wasm } from './matmul-int4-wasm.ts';
import { matmulInt8Wasm } from './matmul-int8-wasm.ts';
import { matmulI16Webgpu } from './matmul-i16-webgpu.ts';
import { matmulInt8Webgpu } from './matmul-int8-webgpu.ts';
import { matmulPrecisionWasm } from './matmul-precision-wasm.ts';
import { matmulPrecisionWebgpu } from './matmul-precision-webgpu.ts';
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
 * stored genome, (op, problem dtype, backend) owns a problem's search; a
 * family taking a key another already holds is refused. An alternative (a
 * family with `offers`) takes no search key: it joins or replaces the
 * owner's search where it offers itself (searchFamilies).
 */
export function registerFamily(family: KernelFamily): void {
  if (families.includes(family)) return;
  if (findGenomeFamily(family.op, family.backend, family.name)) {
    throw new KevoError('BAD_INPUT', `a kernel family "${family.name}" for ${family.op}/${family.backend} is already registered`);
  }
  const taken = family.offers ? undefined : family.dtypes.find((dtype) => findFamily(family.op, family.backend, dtype));
  if (taken) throw new KevoError('BAD_INPUT', `a kernel family for ${family.op} ${taken} on ${family.backend} is already registered`);
  families.push(family);
}

/** The family that owns the search for problems of (op, dtype) on the backend (alternatives never do). */
export function findFamily(op: string, backend: string, dtype = 'f32'): KernelFamily | undefined {
  return families.find((f) => !f.offers && f.op === op && f.backend === backend && f.dtypes.includes(dtype));
}

/** How an alternative takes part in this problem's search: false unless it is one for the problem's key and offers itself. */
function offerOf(family: KernelFamily, problem: Problem, backend: string): Offer {
  return family.offers && family.op === problem.op && family.backend === backend && family.dtypes.includes(problem.dtype) ? family.offers(problem) : false;
}

/**
 * The families whose spaces make up this problem's search on the backend,
 * the lead first: the owner, or the one alternative that replaces it (two
 * that do are an error); then the alternatives that join.
 */
export function searchFamilies(problem: Problem, backend: Backend): [KernelFamily, ...KernelFamily[]] {
  const owner = familyFor(problem.op, backend, problem.dtype);
  const replacing = families.filter((f) => offerOf(f, problem, backend) === 'replace');
  if (replacing.length > 1) throw new KevoError('BAD_INPUT', `${replacing.map((f) => f.name).join(' and ')} both replace the ${owner.name} family's search for this ${problem.op} problem on ${backend}`);
  return [replacing[0] ?? owner, ...families.filter((f) => offerOf(f, problem, backend) === 'join')];
}

/** The family whose genomes carry `family: name` for (op, backend). */
export function findGenomeFamily(op: string, backend: string, name: string): KernelFamily | undefined {
  return families.find((f) => f.op === op && f.backend === backend && f.name === name);
}

export function familyFor(op: string, backend: Backend, dtype = 'f32'): KernelFamily {
  const family = findFamily(op, backend, dtype);
  if (!family) throw new KevoError('BAD_INPUT', `no kernel family runs op "${op}" with dtype ${dtype} on backend ${backend}`);
  return family;
}

/**
 * The family of a genome for a problem; BAD_INPUT when the genome is another
 * op's, its family does not compute the problem's dtype, or it is an
 * alternative that does not offer itself for the problem (a quantizing
 * precision genome for a problem without a numeric accuracy).
 */
export function familyOf(problem: Problem, genome: { readonly op: string; readonly backend: Backend; readonly family: string }): KernelFamily {
  if (genome.op !== problem.op) throw new KevoError('BAD_INPUT', `a ${genome.op} genome cannot compute a ${problem.op} problem`);
  // A source genome is written for the problem's own dtype: the owner of that dtype gives its ABI.
  if (genome.family === 'source') return familyFor(problem.op, genome.backend, problem.dtype);
  const family = findGenomeFamily(genome.op, genome.backend, genome.family);
  if (!family) throw new KevoError('BAD_INPUT', `no kernel family "${genome.family}" for ${genome.op} on ${genome.backend}`);
  if (!family.dtypes.includes(problem.dtype)) {
    throw new KevoError('BAD_INPUT', `a ${genome.family} genome computes ${family.dtypes.join(', ')}, not a ${problem.dtype} ${problem.op} problem`);
  }
  if (family.offers && !family.offers(problem)) {
    throw new KevoError('BAD_INPUT', `a ${genome.family} genome is an alternative that does not compute this ${problem.op} problem (accuracy ${accuracyOf(problem)})`);
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
registerFamily(matmulPrecisionWebgpu);
