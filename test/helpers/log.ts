import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A real pino logger writing JSON lines into memory, so a test can read what was logged. */
export function capturingLogger(level: pino.LevelWithSilent = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/** pino's numeric levels, for readable assertions. */
export const levels = { debug: 20, info: 30, warn: 40, error: 50 } as const;
