import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const webgpuUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;

/**
 * The opening of a user's plain-Node script (an ES module, no kevo) that runs
 * an exported WebGPU kernel: a device from the `webgpu` package with the
 * features and limits the export asks for. Binds `exported` (the module
 * imported from the JavaScript expression `moduleSpecifier`) and `device`.
 */
export function webgpuUserPrelude(moduleSpecifier: string): string {
  return `import { create, globals } from ${JSON.stringify(webgpuUrl)};
Object.assign(globalThis, globals);
// Kept on globalThis: Dawn must outlive every pending GPU promise.
globalThis.keepGpu = create([]);
const exported = await import(${moduleSpecifier});
const adapter = await globalThis.keepGpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: exported.features, requiredLimits: exported.limits });`;
}
