import { KevoError } from '../../lib/errors.ts';
import type { Backend } from '../backend.ts';
import { convWasmFamilies } from './conv-wasm.ts';
import { convWebgpuFamilies } from './conv-webgpu.ts';
import type { KernelFamily } from './family.ts';
import { matmulWasm } from './matmul-wasm.ts';
import { matmulWebgpu } from './matmul-webgpu.ts';

const families = new Map<string, KernelFamily>();
const key = (op: string, backend: string) => `${op}/${backend}`;

/**
 * Makes a kernel family known to this process. Built-in families register
 * here; a new op's module registers its op and families when imported, and
 * worker threads and GPU processes import the same module (RunnerOptions.families).
 */
export function registerFamily(family: KernelFamily): void {
  const known = families.get(key(family.op, family.backend));
  if (known === family) return;
  if (known) throw new KevoError('BAD_INPUT', `a kernel family for ${key(family.op, family.backend)} is already registered`);
  families.set(key(family.op, family.backend), family);
}

export function findFamily(op: string, backend: string): KernelFamily | undefined {
  return families.get(key(op, backend));
}

export function familyFor(op: string, backend: Backend): KernelFamily {
  const family = findFamily(op, backend);
  if (!family) throw new KevoError('BAD_INPUT', `no kernel family runs op "${op}" on backend ${backend}`);
  return family;
}

/** The family of a genome for a problem; BAD_INPUT when the genome is another op's. */
export function familyOf(problem: { readonly op: string }, genome: { readonly op: string; readonly backend: Backend }): KernelFamily {
  if (genome.op !== problem.op) throw new KevoError('BAD_INPUT', `a ${genome.op} genome cannot compute a ${problem.op} problem`);
  return familyFor(problem.op, genome.backend);
}

/** The backends an op has a family on. */
export function backendsOf(op: string): Backend[] {
  return [...families.values()].filter((f) => f.op === op).map((f) => f.backend);
}

registerFamily(matmulWasm);
registerFamily(matmulWebgpu);
convWasmFamilies.forEach(registerFamily);
convWebgpuFamilies.forEach(registerFamily);
