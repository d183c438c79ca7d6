import type { TensorSpec } from '../genome/ops/index.ts';

/** "C[3,17]" for the flat row-major index 3*N+17 of a [M,N] output. */
export function elementName(spec: TensorSpec, flat: number): string {
  const coords: number[] = [];
  let rest = flat;
  for (let d = spec.dims.length - 1; d >= 0; d--) {
    const size = spec.dims[d]!;
    coords.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `${spec.name}[${coords.join(',')}]`;
}

/** Five significant digits, no trailing zeros: 4.2, 1.2e-4, NaN. */
export function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(5))) : String(x);
}
