import { describe, expect, it } from 'vitest';
import { F2x3 } from '../../../../genome/ops/conv/winograd.ts';
import { linear, sandwich } from '../../../../genome/wasm/winograd/transform.ts';

const count = (text: string, what: string) => text.split(what).length - 1;

describe('Winograd transform WAT from the matrices', () => {
  it('adds +-1 terms with their signs (positive ones first), and halves a row of halves once (exactly)', () => {
    expect(linear([1, 0, -1, 0], ['a', 'b', 'c', 'd'])).toBe('(f32x4.sub a c)');
    expect(linear([0, -1, 0, 1], ['a', 'b', 'c', 'd'])).toBe('(f32x4.sub d b)');
    expect(linear([-1, 0], ['a', 'b'])).toBe('(f32x4.neg a)');
    expect(linear([0.5, -0.5, 0.5], ['a', 'b', 'c'])).toBe('(f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.sub (f32x4.add a c) b))');
    expect(linear([2, 1], ['a', 'b'])).toBe('(f32x4.add (f32x4.mul (v128.const f32x4 2 2 2 2) a) b)');
  });

  it('B^T d B needs only adds (32 of them), G g G^T one halving per mixed row', () => {
    const d = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => `d${i}${j}`));
    const v = sandwich(F2x3.bt, d, F2x3.bt, 't');
    const vText = v.setup + v.out.flat().join('');
    expect(count(vText, 'f32x4.mul')).toBe(0);
    expect(count(vText, 'f32x4.add') + count(vText, 'f32x4.sub')).toBe(32);
    const g = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => `g${i}${j}`));
    const u = sandwich(F2x3.g, g, F2x3.g, 'q');
    // Stage one: 2 mixed rows x 3 columns; stage two: 2 mixed columns x 4 rows.
    expect(count(u.setup + u.out.flat().join(''), 'f32x4.mul')).toBe(6 + 8);
  });
});
