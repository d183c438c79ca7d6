import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const webgpuUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;

/**
 * The opening of a user's plain-Node script (an ES module, no kevo) that runs
 * exported WebGPU kernels: Dawn from the `webgpu` package, and
 * `deviceFor(exported)`, a device with the features and limits an export asks for.
 */
export const WEBGPU_USER_SETUP = `import { create, globals } from ${JSON.stringify(webgpuUrl)};
Object.assign(globalThis, globals);
// Kept on globalThis: Dawn must outlive every pending GPU promise.
globalThis.keepGpu = create([]);
const deviceFor = async (exported) =>
  (await globalThis.keepGpu.requestAdapter()).requestDevice({ requiredFeatures: exported.features, requiredLimits: exported.limits });`;

/**
 * The opening of a user's script that runs one exported kernel: binds
 * `exported` (the module imported from the JavaScript expression
 * `moduleSpecifier`) and `device`.
 */
export function webgpuUserPrelude(moduleSpecifier: string): string {
  return `${WEBGPU_USER_SETUP}
const exported = await import(${moduleSpecifier});
const device = await deviceFor(exported);`;
}
