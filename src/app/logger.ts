/** One pino root logger; components take child loggers. Secrets are redacted by key. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'rollback-commander' },
    redact: {
      paths: ['token', 'password', 'authorization', '*.token', '*.password', '*.authorization', 'headers.authorization', 'env'],
      censor: '[redacted]',
    },
  });
}
