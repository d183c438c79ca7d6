import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Node flags that let a worker thread or child process load our .ts files.
 * The loader is named by absolute URL: a bare `--import tsx` resolves from the
 * user's working directory, where tsx is usually not installed.
 */
export const TSX_IMPORT: readonly string[] = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
