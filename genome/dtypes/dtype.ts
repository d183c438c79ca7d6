import { BF16_FORMAT, bitsToF32, decodeFloat, encodeFloat, F16_FORMAT, f32ToBits, type FloatFormat } from './float-bits.ts';
import type { DtypeName } from './name.ts';
import { getNibble, nibbleBytes, setNibble } from './nibbles.ts';

/** What a tensor's elements are stored in: f16 and bf16 as their bit patterns, 4-bit types as packed bytes. */
export type Storage = Float32Array | Uint16Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface FloatLimits {
  readonly min: number;
  readonly max: number;
  /** The gap between 1 and the next value up: 2^-(precision - 1). */
  readonly epsilon: number;
  /** Unit roundoff, half of epsilon: the largest relative error of one rounding. */
  readonly unit: number;
  readonly minNormal: number;
  readonly minSubnormal: number;
  readonly maxExp: number;
  readonly minNormalExp: number;
  /** Every integer up to this is exact. */
  readonly exactIntegers: number;
}

export interface IntLimits {
  readonly min: number;
  readonly max: number;
}

interface DtypeFacts<S extends Storage> {
  readonly name: DtypeName;
  /** Storage bits per element: 4 for the packed types. */
  readonly bits: number;
  /**
   * bits / 8, so 0.5 for the packed 4-bit types. A tensor of n elements takes
   * storageBytes(n) = ceil(n * bits / 8) bytes: an odd count of 4-bit
   * elements rounds up to a whole byte.
   */
  readonly bytesPerElement: number;
  storageBytes(count: number): number;
  /** Zeroed storage for count elements. */
  allocate(count: number): S;
  /** The storage of count elements inside memory the dtype does not own (a wasm memory, a mapped GPU buffer), from byteOffset. */
  view(buffer: ArrayBufferLike, byteOffset: number, count: number): S;
  /** Element i as a number (4-bit: unpacked and sign-extended for i4). */
  get(storage: S, i: number): number;
  /** Floats round to nearest even; ints take only integers in range (a RangeError otherwise, never a silent wrap). */
  set(storage: S, i: number, value: number): void;
  /**
   * The bits written over an output before each run, so an element a kernel
   * never writes is seen: a quiet NaN with a payload no arithmetic produces
   * for floats, a value far from zero for ints. Ints of 16 bits or fewer cannot
   * spare an impossible value: there a legitimate result may equal the
   * poison, so the harness judges their unwritten elements by value, against
   * the reference (verifiers/compare.ts: checkWritten); `alternatePoisonBits`
   * (the complement) is a second poison for a caller that runs twice.
   */
  readonly poisonBits: number;
  readonly alternatePoisonBits: number;
  /** Values at the ends of the type: integer extremes; ±0, subnormals, the largest values, ±Inf and NaN for floats. */
  readonly edgeValues: readonly number[];
}

export interface FloatDtype<S extends Storage = Storage> extends DtypeFacts<S> {
  readonly kind: 'float';
  readonly limits: FloatLimits;
  /** The element's bit pattern for x, rounded to nearest even. */
  toBits(x: number): number;
  fromBits(bits: number): number;
}

export interface IntDtype<S extends Storage = Storage> extends DtypeFacts<S> {
  readonly kind: 'int';
  readonly signed: boolean;
  readonly limits: IntLimits;
}

export type Dtype = FloatDtype | IntDtype;

function floatLimits(format: FloatFormat): FloatLimits {
  const bias = 2 ** (format.exponentBits - 1) - 1;
  const precision = format.mantissaBits + 1;
  const max = (2 - 2 ** -format.mantissaBits) * 2 ** bias;
  return {
    min: -max,
    max,
    epsilon: 2 ** (1 - precision),
    unit: 2 ** -precision,
    minNormal: 2 ** (1 - bias),
    minSubnormal: 2 ** (1 - bias - format.mantissaBits),
    maxExp: bias,
    minNormalExp: 1 - bias,
    exactIntegers: 2 ** precision,
  };
}

function floatEdges(l: FloatLimits): number[] {
  const maxSubnormal = l.minNormal - l.minSubnormal;
  return [0, -0, 1, -1, l.minSubnormal, -l.minSubnormal, maxSubnormal, -maxSubnormal, l.minNormal, -l.minNormal, l.max, -l.max, Infinity, -Infinity, NaN];
}

function intEdges(l: IntLimits): number[] {
  return [...new Set([l.min, l.min + 1, -1, 0, 1, l.max - 1, l.max])].filter((v) => v >= l.min && v <= l.max);
}

function storageBytesFor(bits: number): (count: number) => number {
  return (count) => Math.ceil((count * bits) / 8);
}

function checkInt(name: DtypeName, limits: IntLimits, value: number): number {
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new RangeError(`${value} is not a ${name} (an integer in ${limits.min}..${limits.max})`);
  }
  return value;
}

const f32Limits = floatLimits({ mantissaBits: 23, exponentBits: 8 });

export const f32: FloatDtype<Float32Array> = {
  name: 'f32',
  kind: 'float',
  bits: 32,
  bytesPerElement: 4,
  storageBytes: storageBytesFor(32),
  allocate: (count) => new Float32Array(count),
  view: (buffer, byteOffset, count) => new Float32Array(buffer, byteOffset, count),
  get: (storage, i) => storage[i]!,
  set: (storage, i, value) => {
    storage[i] = value;
  },
  // 0x7fa5a5a5: quiet NaN, payload a5a5a5 (arithmetic makes 0x7fc00000)
  poisonBits: 0x7fa5a5a5,
  alternatePoisonBits: 0x7fa5a5a5,
  limits: f32Limits,
  edgeValues: floatEdges(f32Limits),
  toBits: f32ToBits,
  fromBits: bitsToF32,
};

/** f16 and bf16: stored as their bit patterns in a Uint16Array. */
function halfDtype(name: 'f16' | 'bf16', format: FloatFormat, poisonBits: number): FloatDtype<Uint16Array> {
  const limits = floatLimits(format);
  const toBits = (x: number) => encodeFloat(x, format);
  const fromBits = (bits: number) => decodeFloat(bits, format);
  return {
    name,
    kind: 'float',
    bits: 16,
    bytesPerElement: 2,
    storageBytes: storageBytesFor(16),
    allocate: (count) => new Uint16Array(count),
    view: (buffer, byteOffset, count) => new Uint16Array(buffer, byteOffset, count),
    get: (storage, i) => fromBits(storage[i]!),
    set: (storage, i, value) => {
      storage[i] = toBits(value);
    },
    poisonBits,
    alternatePoisonBits: poisonBits,
    limits,
    edgeValues: floatEdges(limits),
    toBits,
    fromBits,
  };
}

// Both quiet NaNs (top mantissa bit set) with a payload no conversion produces.
export const f16 = halfDtype('f16', F16_FORMAT, 0x7ea5);
export const bf16 = halfDtype('bf16', BF16_FORMAT, 0x7fe5);

type IntStorage = Int32Array | Int16Array | Int8Array | Uint8Array;

interface IntArrayType<S extends IntStorage> {
  new (length: number): S;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): S;
}

/** Byte-aligned integers: the typed array holds the values themselves. */
function intDtype<S extends IntStorage>(name: DtypeName, bits: number, signed: boolean, Type: IntArrayType<S>, poisonBits: number): IntDtype<S> {
  const limits = signed ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 } : { min: 0, max: 2 ** bits - 1 };
  return {
    name,
    kind: 'int',
    signed,
    bits,
    bytesPerElement: bits / 8,
    storageBytes: storageBytesFor(bits),
    allocate: (count) => new Type(count),
    view: (buffer, byteOffset, count) => new Type(buffer, byteOffset, count),
    get: (storage, i) => storage[i]!,
    set: (storage, i, value) => {
      storage[i] = checkInt(name, limits, value);
    },
    poisonBits,
    alternatePoisonBits: (2 ** bits - 1 - poisonBits) >>> 0,
    limits,
    edgeValues: intEdges(limits),
  };
}

// 0xa5 bytes: large negative as signed, far from the small values kernels usually produce.
export const i32 = intDtype('i32', 32, true, Int32Array, 0xa5a5a5a5);
export const i16 = intDtype('i16', 16, true, Int16Array, 0xa5a5);
export const i8 = intDtype('i8', 8, true, Int8Array, 0xa5);
export const u8 = intDtype('u8', 8, false, Uint8Array, 0xa5);

/** Packed two per byte, low nibble first (see nibbles.ts). */
function nibbleDtype(name: 'i4' | 'u4', signed: boolean): IntDtype<Uint8Array> {
  const limits = signed ? { min: -8, max: 7 } : { min: 0, max: 15 };
  return {
    name,
    kind: 'int',
    signed,
    bits: 4,
    bytesPerElement: 0.5,
    storageBytes: nibbleBytes,
    allocate: (count) => new Uint8Array(nibbleBytes(count)),
    view: (buffer, byteOffset, count) => new Uint8Array(buffer, byteOffset, nibbleBytes(count)),
    get: (storage, i) => getNibble(storage, i, signed),
    set: (storage, i, value) => setNibble(storage, i, checkInt(name, limits, value)),
    poisonBits: 0xa,
    alternatePoisonBits: 0x5,
    limits,
    edgeValues: intEdges(limits),
  };
}

export const i4 = nibbleDtype('i4', true);
export const u4 = nibbleDtype('u4', false);

export const dtypes: Readonly<Record<DtypeName, Dtype>> = { f32, f16, bf16, i32, i16, i8, u8, i4, u4 };

export function dtypeOf(name: DtypeName): Dtype {
  return dtypes[name];
}
