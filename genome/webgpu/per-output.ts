import type { MatmulShape } from '../ops/matmul-problem.ts';

/** The entry text around a baseline's body: given the attribute, the parameters after its name, and the body, every entry the kernel has. */
export type PerOutputEntries = (attribute: string, head: string, body: string) => string;

const ONE_ENTRY: PerOutputEntries = (attribute, head, body) => `${attribute}
fn main${head} {
${body}
}`;

/**
 * The shape every WGSL baseline shares: M, N and K as constants, the
 * kernel's `declarations`, then a 16x16 workgroup with one thread per
 * output (rows and columns past the problem return) running `body`; `after`
 * follows the entry (an epilogue's passes). `entries` may wrap the body in
 * several entries (a requantized i16 output's passes).
 */
export function perOutputWgsl(comment: string, { m, n, k }: MatmulShape, declarations: string, body: string, after = '', entries = ONE_ENTRY) {
  const guarded = `  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
${body}`;
  return {
    wgsl: `// kevo baseline matmul ${comment}
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

${declarations}

${entries('@compute @workgroup_size(16, 16, 1)', '(@builtin(global_invocation_id) id: vec3<u32>)', guarded)}
${after}`,
    workgroupSize: [16, 16, 1] as [number, number, number],
    tile: { rows: 16, cols: 16 },
  };
}
