export * from './device.ts';
export * from './envelope.ts';
export * from './job.ts';
export * from './result.ts';
export * from './worker-info.ts';
