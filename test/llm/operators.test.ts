import { describe, expect, it } from 'vitest';
import type { Genome } from '../../genome/genome.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { canonicalHash } from '../../lib/hash.ts';
import { Rng } from '../../lib/rng.ts';
import { applyEdit } from '../../llm/operators.ts';
import { renderPrompt } from '../../llm/render.ts';
import { seedPrompts } from '../../llm/templates.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { spaceOf } from '../../testkit/spaces.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 64, n: 64, k: 64 }, dtype: 'f32' };
const space = spaceOf(problem);
const parentGenome = space.sample(new Rng(1));
const parent = { hash: canonicalHash(parentGenome), genome: parentGenome };
const device: DeviceClass = {
  id: 'd1',
  label: 'test cpu',
  facts: { backend: 'wasm', cpu: 'EPYC', cores: 2, arch: 'x64', node: '20', v8: '11', simd: true, relaxedSimd: false },
};

describe('applyEdit', () => {
  it('applies the changed genes to the parent and keeps the lineage', () => {
    const attempt = applyEdit(space, parent, { parent: parent.hash, changes: { packB: !('packB' in parentGenome && parentGenome.packB) }, rationale: '' });
    expect(attempt.ok).toBe(true);
    if (!attempt.ok) return;
    expect(attempt.parents).toEqual([parent.hash]);
    expect(space.check(attempt.genome)).toBeNull();
  });

  it('rejects an edit that no genome of the space satisfies, naming the gene', () => {
    const attempt = applyEdit(space, parent, { parent: parent.hash, changes: { mr: 'big' }, rationale: '' });
    expect(attempt).toMatchObject({ ok: false, failure: 'rejected', reason: expect.stringContaining('mr') });
  });

  it('repairs an edit that breaks a constraint between genes, as the space would a genetic child', () => {
    const attempt = applyEdit(space, parent, { parent: parent.hash, changes: { mr: 8, nr: 16 }, rationale: '' });
    expect(space.check({ ...parentGenome, mr: 8, nr: 16 } as Genome)).toMatch(/registers/);
    expect(attempt).toMatchObject({ ok: true, genome: space.repair({ ...parentGenome, mr: 8, nr: 16 } as Genome) });
  });

  it('needs every gene when there is no parent', () => {
    expect(applyEdit(space, undefined, { parent: 'none', changes: { mr: 2 }, rationale: '' }).ok).toBe(false);
    expect(applyEdit(space, undefined, { parent: 'none', changes: parentGenome as Record<string, unknown>, rationale: '' })).toMatchObject({ ok: true, parents: [] });
  });
});

describe('renderPrompt', () => {
  const ctx = { problem, backend: 'wasm' as const, device, genomeSchema: space.schema, spaceName: space.name };
  const [edit, source] = [seedPrompts().find((p) => p.task === 'edit')!, seedPrompts().find((p) => p.task === 'source')!];
  const exemplars = {
    best: [{ hash: 'h1', genome: parentGenome, fitness: 1.25, descriptor: [] }],
    diverse: [],
    failed: [{ hash: 'h2', genome: { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: '(module)' } as Genome, fitness: null, reason: 'smoke: never wrote C', descriptor: [] }],
  };

  it('puts the facts, playbook, exemplars with reasons and the output contract in the user message', () => {
    const [system, user] = renderPrompt(edit, ctx, exemplars);
    expect(system).toEqual({ role: 'system', content: edit.role });
    for (const text of ['## Op contract', 'matmul 64x64x64', 'relaxed SIMD (f32x4.relaxed_madd): no', edit.playbook[0]!, 'speedup 1.250x', 'failed: smoke: never wrote C', '"changes"', '"kUnroll"']) {
      expect(user!.content).toContain(text);
    }
    expect(user!.content).not.toContain('## Kernel ABI');
  });

  it('gives a source prompt the ABI with this problem\'s offsets, and is deterministic', () => {
    const once = renderPrompt(source, ctx, exemplars);
    expect(once[1]!.content).toContain('## Kernel ABI');
    expect(once[1]!.content).toContain('(param $a i32)');
    expect(renderPrompt(source, ctx, exemplars)).toEqual(once);
  });
});
