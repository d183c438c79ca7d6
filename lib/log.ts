import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * The root logger: pretty lines on a terminal, JSON lines otherwise, always on
 * stderr so stdout stays clean for --json output.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  if (process.stderr.isTTY) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level }, pino.destination(2));
}

/** For library code and tests that are given no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
