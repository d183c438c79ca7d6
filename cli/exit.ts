import { CommanderError } from 'commander';
import { KevoError } from '../lib/errors.ts';

/** 0 ok, 2 bad input (the user's to fix), 1 failure (ours, or the world's). */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof KevoError) return error.code === 'BAD_INPUT' || error.code === 'NOT_FOUND' ? EXIT.badInput : EXIT.failure;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.badInput;
  }
  return EXIT.failure;
}

/** The one line a person sees; commander has already printed its own errors. */
export function errorLine(error: unknown): string | undefined {
  if (error instanceof CommanderError) return undefined;
  if (error instanceof KevoError) return `kevo: ${error.message}`;
  return `kevo: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
