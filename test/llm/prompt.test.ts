import { describe, expect, it } from 'vitest';
import { LlmArchive } from '../../llm/archive.ts';
import { PromptPopulation } from '../../llm/population.ts';
import { promptFitness, promptId, promptRecord, type PromptGenome } from '../../llm/prompt.ts';
import { fill, seedPrompts, template } from '../../llm/templates.ts';
import { Rng } from '../../lib/rng.ts';
import type { Genome } from '../../genome/genome.ts';

const base: PromptGenome = { task: 'edit', role: 'r', guidance: 'g', playbook: ['a'], exemplars: { best: 1, diverse: 1, failed: 1 } };

describe('prompt genome', () => {
  it('has an id that ignores key order and changes with any section', () => {
    const reordered: PromptGenome = { exemplars: { failed: 1, diverse: 1, best: 1 }, playbook: ['a'], guidance: 'g', role: 'r', task: 'edit' };
    expect(promptId(reordered)).toBe(promptId(base));
    expect(promptId({ ...base, playbook: ['a', 'b'] })).not.toBe(promptId(base));
  });

  it('records lineage: a child is one generation past its oldest parent', () => {
    const a = promptRecord(base, [], 'seed');
    const b = promptRecord({ ...base, role: 'b' }, [a], 'meta-rewrite');
    const c = promptRecord({ ...base, role: 'c' }, [a, b], 'meta-crossover');
    expect([a.generation, b.generation, c.generation]).toEqual([0, 1, 2]);
    expect(c.parents).toEqual([a.id, b.id]);
  });

  it('ranks a reliable prompt above a lucky one', () => {
    expect(promptFitness({ proposals: 10, valid: 10, bestSpeedup: 1.3 })).toBeGreaterThan(promptFitness({ proposals: 10, valid: 1, bestSpeedup: 1.5 }));
    expect(promptFitness({ proposals: 0, valid: 0, bestSpeedup: null })).toBe(0);
  });

  it('ships seed prompts for both tasks and templates whose placeholders all get filled', () => {
    expect(seedPrompts().map((p) => p.task).sort()).toEqual(['edit', 'source']);
    expect(() => fill(template('review'), { contract: 'c', language: 'wat' })).toThrow(/\{\{source\}\}/);
    expect(fill(template('review'), { contract: 'C', language: 'wat', source: 'S' })).not.toMatch(/\{\{/);
  });
});

describe('PromptPopulation', () => {
  it('tries every new prompt before a tournament, and breeds from the fittest tried ones', () => {
    const a = promptRecord(base, [], 'seed');
    const b = promptRecord({ ...base, role: 'b' }, [], 'seed');
    const population = new PromptPopulation(4, 2);
    population.add(a);
    population.add(b);
    expect(population.add(a)).toBe(false);
    const rng = new Rng(1);
    expect(population.select('edit', rng)!.id).toBe(a.id);
    population.proposed(a.id);
    population.proposed(a.id);
    expect(population.select('edit', rng)!.id).toBe(b.id);
    population.proposed(b.id);
    population.proposed(b.id);
    population.validated(b.id, 1.4);
    expect(population.elite('edit', 2).map((p) => p.record.id)).toEqual([b.id, a.id]);
    expect(population.select('source', rng)).toBeUndefined();
  });
});

describe('LlmArchive', () => {
  const g = (mr: number): Genome => ({ op: 'matmul', backend: 'wasm', family: 'tiled', mr, nr: 4, kUnroll: 1, mc: 8, kc: 8, nc: 8, packA: false, packB: false, loopOrder: 'nkm', fma: false });

  it('picks the best, one per other descriptor, and the latest failures with reasons', () => {
    const archive = new LlmArchive();
    archive.add(g(1), 1.0, ['small']);
    archive.add(g(2), 2.0, ['small']);
    archive.add(g(3), 1.5, ['large']);
    archive.add(g(4), 0.5, ['large']);
    archive.add(g(5), null, ['large'], 'smoke: never wrote C');
    archive.add(g(6), null, ['large'], 'numerics: off');
    const picked = archive.pick({ best: 1, diverse: 2, failed: 1 });
    expect(picked.best.map((e) => e.genome)).toEqual([g(2)]);
    expect(picked.diverse.map((e) => e.genome)).toEqual([g(3), g(1)]);
    expect(picked.failed.map((e) => e.reason)).toEqual(['numerics: off']);
  });

  it('forgets failures first when full', () => {
    const archive = new LlmArchive([], 2);
    archive.add(g(1), null, [], 'x');
    archive.add(g(2), 1, []);
    archive.add(g(3), 2, []);
    expect(archive.toJSON().map((e) => e.fitness)).toEqual([1, 2]);
  });
});
