import { describe, expect, it } from 'vitest';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import { familyFor } from '../../../genome/families/registry.ts';
import { parseProblem, problemKey, type Problem } from '../../../genome/ops/index.ts';
import { verify } from '../../../verifiers/harness.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';

const device = { id: 'test', label: 'test', facts: { backend: 'wasm' as const, relaxedSimd: false } };
const i8 = (weights?: 'fixed' | 'varying'): Problem => parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'i8', ...(weights ? { weights } : {}) });

describe('weights fixed or varying across calls', () => {
  it('a load-time pack stays one where the weights are fixed, and becomes part of every call where they vary', async () => {
    const family = familyFor('matmul', 'wasm', 'i8');
    const genome = family.space(i8(), device).seeds!()[0]!;
    const fixed = WasmLaunch.parse(family.code(genome, i8()).launch);
    expect(fixed.prepare).toBeDefined();

    const problem = i8('varying');
    const code = family.code(genome, problem);
    const launch = WasmLaunch.parse(code.launch);
    expect(launch.prepare).toBeUndefined();
    // The packed region is the workspace's tail now: the same memory, nothing placed anew.
    expect(launch.workspace.offset + launch.workspace.length).toBe(fixed.prepare!.packed.offset + fixed.prepare!.packed.length);
    expect(code.text.match(/\(export "/g)).toHaveLength(1);

    // Every stage, the loophole's fresh B included: a call that skipped the pack would multiply the last B.
    const { failure, kernel } = await verify((p) => wasmKernel(p, family.code(genome, p).text, WasmLaunch.parse(family.code(genome, p).launch)), problem, { seed: 3, precision: family.precision(genome) });
    await kernel?.dispose();
    expect(failure).toBeUndefined();
  });

  it('the key names the weights only where they differ from the dtype scheme\'s default', () => {
    expect(problemKey(i8())).toBe('matmul:37x53x40:i8');
    expect(problemKey(i8('fixed'))).toBe('matmul:37x53x40:i8');
    expect(problemKey(i8('varying'))).toBe('matmul:37x53x40:i8:varying-weights');
    const f32 = (weights?: string) => problemKey(parseProblem({ op: 'matmul', shape: { m: 8, n: 8, k: 8 }, ...(weights ? { weights } : {}) }));
    expect(f32()).toBe('matmul:8x8x8:f32');
    expect(f32('varying')).toBe('matmul:8x8x8:f32');
    expect(f32('fixed')).toBe('matmul:8x8x8:f32:fixed-weights');
    expect(() => f32('sometimes')).toThrow(/weights.*expected fixed or varying/);
  });
});
