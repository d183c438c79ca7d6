import wabtInit from 'wabt';
import { KevoError } from '../../lib/errors.ts';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;

/** SIMD always; relaxed SIMD so FMA kernels assemble (whether they *run* is the runtime's say). */
const features = { simd: true, relaxed_simd: true };

let wabt: Promise<Wabt> | undefined;

/** wabt loads once per thread (~17 ms); every kernel after that assembles in about a millisecond. */
function loadWabt(): Promise<Wabt> {
  wabt ??= wabtInit();
  return wabt;
}

/** WAT text -> wasm binary. An error names the line wabt complained about; code ASSEMBLE. */
export async function assembleWat(wat: string, name = 'kernel.wat'): Promise<Uint8Array<ArrayBuffer>> {
  const lib = await loadWabt();
  let module: ReturnType<Wabt['parseWat']> | undefined;
  try {
    module = lib.parseWat(name, wat, features);
    module.resolveNames();
    // wabt's .d.ts omits validate's feature argument; without it SIMD ops fail validation.
    (module.validate as (f: typeof features) => void)(features);
    return new Uint8Array(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new KevoError('ASSEMBLE', firstLines(message, 6), { cause: error });
  } finally {
    module?.destroy();
  }
}

function firstLines(text: string, n: number): string {
  return text.trim().split('\n').slice(0, n).join('\n');
}
