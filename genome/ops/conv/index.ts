export * from './geometry.ts';
export * from './ops.ts';
export * from './problem.ts';
