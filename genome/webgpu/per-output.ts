import type { MatmulShape } from '../ops/matmul-problem.ts';

/**
 * The shape every WGSL baseline shares: M, N and K as constants, the
 * kernel's `declarations`, then a 16x16 workgroup with one thread per
 * output (rows and columns past the problem return) running `body`; `after`
 * follows the entry (an epilogue's passes).
 */
export function perOutputWgsl(comment: string, { m, n, k }: MatmulShape, declarations: string, body: string, after = '') {
  return {
    wgsl: `// kevo baseline matmul ${comment}
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

${declarations}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
${body}
}
${after}`,
    workgroupSize: [16, 16, 1] as [number, number, number],
    tile: { rows: 16, cols: 16 },
  };
}
