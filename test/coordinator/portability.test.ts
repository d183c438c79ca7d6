import { describe, expect, it } from 'vitest';
import { portabilityReport, type ClassTiming } from '../../coordinator/portability.ts';

const on = (id: string, genomeHash: string, ratios: number[], status = 'ok'): ClassTiming => ({ genomeHash, deviceClass: { id, label: `class ${id}` }, status, ratios });

describe('portabilityReport', () => {
  it('ranks each class, names its winner, and correlates the classes over the kernels both verified', () => {
    const report = portabilityReport([
      on('x', 'k1', [3, 3.2]),
      on('x', 'k2', [2]),
      on('x', 'k3', [1]),
      on('y', 'k1', [1]),
      on('y', 'k2', [2]),
      on('y', 'k3', [3]),
      on('y', 'k4', [9]),
      on('x', 'k4', [], 'unsupported'),
    ]);
    expect(report.classes.map((c) => [c.id, c.winner, c.kernels.map((k) => k.genomeHash)])).toEqual([
      ['x', 'k1', ['k1', 'k2', 'k3', 'k4']],
      ['y', 'k4', ['k4', 'k3', 'k2', 'k1']],
    ]);
    expect(report.classes[0]!.kernels[0]!.speedup).toBeCloseTo(3.1);
    expect(report.pairs).toEqual([{ a: 'x', b: 'y', kernels: 3, spearman: -1, kendallTau: -1 }]);
  });

  it('counts the latest timing of a kernel on a class, and has nothing to correlate for one class', () => {
    const report = portabilityReport([on('x', 'k1', [1]), on('x', 'k2', [2]), on('x', 'k1', [5])]);
    expect(report.classes[0]!.winner).toBe('k1');
    expect(report.pairs).toEqual([]);
  });
});
