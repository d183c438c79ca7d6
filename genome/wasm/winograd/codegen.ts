import { F2x3, type WinogradTransforms } from '../../ops/conv/winograd.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import { epilogueParts, hasEpilogue } from '../../ops/epilogue.ts';
import { counted, plus } from '../conv/loops.ts';
import { activationFuncs, epilogueGlobals, epilogueParams, saveEpiloguePointers } from '../epilogue.ts';
import { get, i32, indent } from '../wat.ts';
import { gemmFunc, gemmName, type GemmShape } from './gemm.ts';
import type { WinogradWasmGenome } from './genome.ts';
import { winogradApplies, winogradLayout } from './layout.ts';
import { inputFunc, outputFunc, placeFunc, weightFunc } from './stages.ts';

/** 2 when the tile's second row (column) at output index `first` + 1 is inside the output, else 1. */
const extent = (first: string, size: number) => `(select (i32.const 2) (i32.const 1) (i32.lt_u (i32.add ${first} (i32.const 1)) ${i32(size)}))`;

/**
 * Genome -> WAT of a conv2d by Winograd F(2x2,3x3), under the kernel ABI
 * (workspace sized by winogradLayout). Per call: the image, U = G g G^T for
 * every channel pair (no caching: the weights are an input like any other),
 * then per tile row of every image, per group of `tile` output tiles: V =
 * B^T d B of each, the 16 GEMMs over channels into M, and A^T M A through
 * the epilogue into Y, partial tiles at odd edges stored in part. The
 * arithmetic is the transform matrices' (`transforms`, F(2x2,3x3)'s unless a
 * test hands in wrong ones). Only where winogradApplies. Pure.
 */
export function winogradWat(genome: WinogradWasmGenome, problem: ConvProblem, transforms: WinogradTransforms = F2x3): string {
  if (!winogradApplies(problem)) throw new RangeError(`Winograd F(2x2,3x3) needs a 3x3 stride-1 conv2d, not ${problem.op} ${problem.shape.r}x${problem.shape.s} stride ${problem.stride}`);
  const l = winogradLayout(problem, genome.tile);
  const { g } = l;
  const epilogue = epilogueParts(problem.epilogue);
  const fused = hasEpilogue(epilogue);
  const vectorsPerRow = l.k4 / 4;
  const vectors = Math.min(genome.vectors, vectorsPerRow);
  const shapes: GemmShape[] = [];
  const gemmCall = (rows: number, blockVectors: number, block: string, v: string, u: string, m: string) => {
    const shape = { rows, vectors: blockVectors };
    if (!shapes.some((s) => gemmName(s) === gemmName(shape))) shapes.push(shape);
    return `(call ${gemmName(shape)} ${v} ${plus(u, block, vectors * 16)} ${plus(m, block, vectors * 16)})`;
  };
  const ws = (offset: number) => `(i32.add ${get('ws')} ${i32(offset)})`;

  /** One group of `tiles` output tiles from tile column $tx of the tile row at $row / $out. */
  const group = (tiles: number) => {
    const each = Array.from({ length: tiles }, (_, t) => t);
    const tx = (t: number) => `(i32.add ${get('tx')} ${i32(t)})`;
    const inputs = each.map((t) => `(call $input ${plus(get('row'), tx(t), 2 * l.c4 * 4)} ${ws(l.vAt + t * l.c4 * 4)})`);
    const fullBlocks = Math.floor(vectorsPerRow / vectors);
    const tailVectors = vectorsPerRow % vectors;
    const v = plus(ws(l.vAt), get('ab'), l.group * l.c4 * 4);
    const u = plus(ws(l.uAt), get('ab'), g.c * l.k4 * 4);
    const m = plus(ws(l.mAt), get('ab'), l.group * l.k4 * 4);
    const blocks = [counted('kb', fullBlocks, gemmCall(tiles, vectors, get('kb'), v, u, m)), tailVectors ? gemmCall(tiles, tailVectors, i32(fullBlocks), v, u, m) : ''].filter(Boolean).join('\n');
    const outputs = each.map((t) => `(call $output ${ws(l.mAt + t * l.k4 * 4)} ${plus(get('out'), tx(t), 2 * g.k * 4)} ${get('rows')} ${extent(`(i32.mul ${tx(t)} (i32.const 2))`, g.ow)})`);
    return [...inputs, counted('ab', 16, blocks), ...outputs].join('\n');
  };

  const fullGroups = Math.floor(l.tilesAcross / l.group);
  const tailTiles = l.tilesAcross % l.group;
  const ty = `(i32.rem_u ${get('nt')} ${i32(l.tilesDown)})`;
  const n = `(i32.div_u ${get('nt')} ${i32(l.tilesDown)})`;
  const tileRow = [
    `(local.set $row ${plus(get('ws'), `(i32.add (i32.mul ${n} ${i32(l.hp)}) (i32.mul ${ty} (i32.const 2)))`, l.wp * l.c4 * 4)})`,
    `(local.set $out ${plus(get('c'), `(i32.add (i32.mul ${n} ${i32(g.oh)}) (i32.mul ${ty} (i32.const 2)))`, g.ow * g.k * 4)})`,
    `(local.set $rows ${extent(`(i32.mul ${ty} (i32.const 2))`, g.oh)})`,
    counted('grp', fullGroups, `(local.set $tx (i32.mul ${get('grp')} ${i32(l.group)}))\n${group(l.group)}`),
    tailTiles ? `(local.set $tx ${i32(fullGroups * l.group)})\n${group(tailTiles)}` : '',
  ].filter(Boolean);

  const funcs = [
    fused ? epilogueGlobals(epilogue) : '',
    fused ? activationFuncs(epilogue.activation) : '',
    placeFunc(l),
    weightFunc(l, transforms),
    inputFunc(l, transforms),
    outputFunc(l, transforms, fused ? epilogue : null),
  ];
  const body = [fused ? saveEpiloguePointers(epilogue) : '', `(call $place ${get('a')} ${get('ws')})`, `(call $weights ${get('b')} ${ws(l.uAt)})`, counted('nt', g.n * l.tilesDown, tileRow.join('\n'))];
  const gemms = shapes.map((s) => gemmFunc(l, s, genome.unroll, genome.fma));
  return `;; kevo conv2d n${g.n} h${g.h} w${g.w} c${g.c} k${g.k} r3 s3 stride 1 pad ${problem.pad} f32${problem.epilogue ? `, then ${problem.epilogue.join(' -> ')}` : ''}
;; Winograd F(2x2,3x3): ${l.group} tiles x ${vectors} vectors a GEMM register tile, unroll ${genome.unroll}, ${genome.fma ? 'relaxed_madd (FMA)' : 'mul + add'}
(module
  (import "env" "memory" (memory 1))
${indent([...funcs, ...gemms].filter(Boolean).join('\n\n'), 1)}

  (func (export "conv2d") (param $a i32) (param $b i32) ${fused ? epilogueParams(epilogue) : ''} (param $c i32) (param $ws i32)
    (local $nt i32) (local $grp i32) (local $tx i32) (local $ab i32) (local $kb i32) (local $row i32) (local $out i32) (local $rows i32)
${indent(body.filter(Boolean).join('\n'), 2)}))
`;
}
