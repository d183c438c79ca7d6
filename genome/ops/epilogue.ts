import { z } from 'zod';
import { unitRoundoff, type Precision } from './accuracy.ts';
import type { Tolerance } from './op.ts';

/**
 * A matmul's epilogue: what happens to C before it is stored, in this fixed
 * order: bias (a length-N vector added to every row) -> one activation ->
 * residual (an MxN tensor added). How it is fused is the genome's business.
 */
export const ACTIVATIONS = ['relu', 'gelu', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const EPILOGUE_STAGES = ['bias', ...ACTIVATIONS, 'residual'] as const;
export type EpilogueStage = (typeof EPILOGUE_STAGES)[number];

const rank = (stage: EpilogueStage) => (stage === 'bias' ? 0 : stage === 'residual' ? 2 : 1);

export const Epilogue = z
  .array(z.string())
  .min(1, { error: 'expected at least one stage (bias, relu|gelu|silu, residual)' })
  .superRefine((stages, ctx) => {
    stages.forEach((stage, i) => {
      if (!(EPILOGUE_STAGES as readonly string[]).includes(stage)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `unknown epilogue stage "${stage}": expected bias, relu, gelu, silu or residual` });
      } else if (i > 0 && (EPILOGUE_STAGES as readonly string[]).includes(stages[i - 1]!) && rank(stage as EpilogueStage) <= rank(stages[i - 1] as EpilogueStage)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `epilogue stage "${stage}" after "${stages[i - 1]}": the order is bias, then one of relu|gelu|silu, then residual` });
      }
    });
  })
  .transform((stages) => stages as EpilogueStage[]);
export type Epilogue = z.infer<typeof Epilogue>;

/** An epilogue by its parts, each present or not: what codegen reads. */
export interface EpilogueSpec {
  readonly bias: boolean;
  readonly activation: Activation | null;
  readonly residual: boolean;
}

export const hasEpilogue = (e: EpilogueSpec) => e.bias || e.activation !== null || e.residual;

/**
 * The epilogue as a framework without fusion runs it: one pass over C per
 * stage, each named, in order. (The baseline, and the genomes that do not fuse.)
 */
export function separateStages(e: EpilogueSpec): [string, EpilogueSpec][] {
  const stages: [string, EpilogueSpec][] = [
    ['bias_pass', { bias: e.bias, activation: null, residual: false }],
    ['activation_pass', { bias: false, activation: e.activation, residual: false }],
    ['residual_pass', { bias: false, activation: null, residual: e.residual }],
  ];
  return stages.filter(([, spec]) => hasEpilogue(spec));
}

export function epilogueParts(stages: readonly EpilogueStage[] | undefined): EpilogueSpec {
  const list = stages ?? [];
  return {
    bias: list.includes('bias'),
    activation: list.find((s): s is Activation => (ACTIVATIONS as readonly string[]).includes(s)) ?? null,
    residual: list.includes('residual'),
  };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The activations in f64, as the reference computes them (GELU in its tanh form). */
export const activate: Record<Activation, (x: number) => number> = {
  relu: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  silu: (x) => x / (1 + Math.exp(-x)),
};

/**
 * How far an activation can stretch an error in its input (a bound on |f'|:
 * 1 for relu, about 1.13 for GELU and 1.1 for SiLU), and the relative error
 * its own evaluation may add in f32 (exp by a polynomial, a division), in units
 * of the format's roundoff.
 */
export const activationError: Record<Activation, { lipschitz: number; roundings: number }> = {
  relu: { lipschitz: 1, roundings: 0 },
  gelu: { lipschitz: 1.2, roundings: 24 },
  silu: { lipschitz: 1.2, roundings: 24 },
};

/**
 * One output element after the epilogue, from its plain dot product `sum`
 * and that product's magnitude bound `abs`: `column` picks the bias element,
 * `at` the residual's (the output's own index).
 */
export function applyEpilogueAt(
  e: EpilogueSpec,
  tensors: { readonly bias: Float32Array | null; readonly residual: Float32Array | null },
  column: number,
  at: number,
  sum: number,
  abs: number,
): { want: number; magnitude: number } {
  const { bias, residual } = tensors;
  let want = sum + (bias ? bias[column]! : 0);
  let magnitude = abs + (bias ? Math.abs(bias[column]!) : 0);
  if (e.activation) {
    want = activate[e.activation](want);
    magnitude *= activationError[e.activation].lipschitz;
  }
  if (residual) {
    want += residual[at]!;
    magnitude += Math.abs(residual[at]!);
  }
  return { want, magnitude };
}

/**
 * The error model of a dot product of `length` terms, then an epilogue.
 * Higham's bound for it is gamma_K = K*u/(1-K*u) times sum|a||b|. That worst
 * case is loose; blocked and pairwise orders do far better, but a kernel may
 * legally sum in any order, so we keep a K-linear bound with a safety factor
 * of 2 and a floor for tiny K. The epilogue adds a rounding per add, and an
 * activation its own evaluation error.
 */
export function dotTolerance(length: number, e: EpilogueSpec, precision: Precision): Tolerance {
  const u = unitRoundoff[precision];
  const epilogue = Number(e.bias) + Number(e.residual) + (e.activation ? activationError[e.activation].roundings : 0);
  return { abs: 1e-30, rel: 2 * Math.max(length + 2 + epilogue, 4) * u };
}
