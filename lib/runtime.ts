import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * How kevo's own code is running: from its TypeScript sources (vitest, tsx,
 * the benchmarks) or compiled into dist/ (the published package). Worker
 * threads and child processes must load their entry module the same way.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The URL of a module next to `base` (an import.meta.url), named by its source path: the .js beside it in dist/. */
export function moduleUrl(path: string, base: string): URL {
  return new URL(FROM_SOURCE ? path : path.replace(/\.ts$/, '.js'), base);
}

/**
 * Node flags that let a worker thread or child process load the entry module
 * moduleUrl() named: tsx's loader from sources, none for compiled JavaScript.
 * The loader is named by absolute URL: a bare `--import tsx` resolves from the
 * user's working directory, where tsx is usually not installed.
 */
export const CHILD_EXEC_ARGV: readonly string[] = FROM_SOURCE
  ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
  : [];

/** The package's root folder (where package.json is): dist/ sits one level deeper than the sources. */
export const PACKAGE_ROOT: URL = new URL(FROM_SOURCE ? '../' : '../../', import.meta.url);
