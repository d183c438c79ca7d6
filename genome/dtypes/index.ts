export { DtypeName } from './name.ts';
export * from './dtype.ts';
export * from './float-bits.ts';
export * from './nibbles.ts';
export * from './poison.ts';
export * from './generate.ts';
export * from './compare.ts';
