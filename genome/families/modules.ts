import { fileURLToPath } from 'node:url';

/**
 * Modules that register ops and kernel families when imported (see
 * docs/architecture.md, "Add an op"). A process learns a family by importing
 * its module; worker threads and GPU processes are processes of their own, so
 * a runner hands them the same module URLs (RunnerOptions.families) and they
 * load them before their first job.
 *
 * piscina loads a worker thread's task with require(), so under tsx the whole
 * thread's module graph is CommonJS there: a family module must be required
 * too, or it would register into a second copy of the registry. A GPU process
 * (and any ESM process) imports it.
 */
export async function importFamilyModules(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    if (typeof require === 'function') require(url.startsWith('file:') ? fileURLToPath(url) : url);
    else await import(url);
  }
}
