import { describe, expect, it } from 'vitest';
import { paretoFront, accuracyFronts, type Tradeoff } from '../../../coordinator/store/front.ts';
import type { BestRow } from '../../../coordinator/store/rows.ts';
import { parseProblem } from '../../../genome/ops/index.ts';

const point = (name: string, error: number, speedup: number) => ({ name, error, speedup });
const names = (points: readonly { name: string }[]) => points.map((p) => p.name);

/** Whether any point of `all` beats p on both axes (one strictly). */
const dominated = (p: Tradeoff, all: readonly Tradeoff[]) => all.some((q) => q.error <= p.error && q.speedup >= p.speedup && (q.error < p.error || q.speedup > p.speedup));

describe('paretoFront', () => {
  it('keeps the points no other beats on both axes, most accurate first, speed rising along it', () => {
    const points = [point('f32', 1e-7, 1.0), point('i8', 5e-3, 2.0), point('slow i8', 6e-3, 1.5), point('w4', 4e-2, 3.0), point('slow f32', 2e-7, 0.9)];
    expect(names(paretoFront(points))).toEqual(['f32', 'i8', 'w4']);
  });

  it('leaves out a point dominated on one axis and tied on the other', () => {
    expect(names(paretoFront([point('a', 1e-3, 2), point('same error, slower', 1e-3, 1.5), point('same speed, worse', 2e-3, 2)]))).toEqual(['a']);
  });

  it('keeps the first of points equal on both axes', () => {
    expect(names(paretoFront([point('first', 1e-3, 2), point('twin', 1e-3, 2)]))).toEqual(['first']);
  });

  it('leaves out points whose error was never measured (NaN) or is not finite', () => {
    expect(names(paretoFront([point('unmeasured', NaN, 9), point('inf', Infinity, 9), point('ok', 1e-3, 1)]))).toEqual(['ok']);
    expect(paretoFront([])).toEqual([]);
  });

  it('on random clouds: every point kept is non-dominated and every point left out is dominated or a twin', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 50; trial++) {
      const cloud = Array.from({ length: 20 }, (_, i) => point(`p${i}`, Math.round(random() * 10) / 10, Math.round(random() * 10) / 10 + 0.1));
      const front = paretoFront(cloud);
      for (const p of front) expect(dominated(p, cloud)).toBe(false);
      for (const p of cloud.filter((c) => !front.includes(c))) expect(dominated(p, cloud) || front.some((f) => f.error === p.error && f.speedup === p.speedup)).toBe(true);
      for (let i = 1; i < front.length; i++) expect(front[i]!.error > front[i - 1]!.error && front[i]!.speedup > front[i - 1]!.speedup).toBe(true);
    }
  });
});

describe('accuracyFronts', () => {
  const problem = parseProblem({ op: 'matmul', shape: { m: 4, n: 4, k: 4 }, accuracy: 0.05 });
  const row = (kernelId: string, device: string, ofTolerance: number | undefined, speedup: number) =>
    ({
      kernelId,
      precision: 'f32',
      speedup,
      medianMs: 1 / speedup,
      gflops: speedup,
      genome: {},
      deviceClass: { id: device, label: device },
      measuredError: ofTolerance === undefined ? undefined : { ofTolerance, maxAbs: 0, maxRel: 0, elements: 1 },
    }) as unknown as BestRow;

  it('one front per device class, the error as ofTolerance x accuracy, unmeasured kernels left out', () => {
    const fronts = accuracyFronts(problem, [row('a', 'cpu1', 0.1, 1), row('b', 'cpu1', 0.5, 2), row('c', 'cpu1', undefined, 5), row('d', 'cpu2', 0.2, 1)]);
    expect(fronts.map((f) => [f.deviceClass.id, f.points.map((p) => [p.kernelId, p.error])])).toEqual([
      ['cpu1', [['a', 0.1 * 0.05], ['b', 0.5 * 0.05]]],
      ['cpu2', [['d', 0.2 * 0.05]]],
    ]);
  });

  it('refuses a problem without a numeric accuracy', () => {
    expect(() => accuracyFronts(parseProblem({ op: 'matmul', shape: { m: 4, n: 4, k: 4 } }), [])).toThrow(/numeric accuracy/);
  });
});
