import { pino, type Logger } from 'pino';

// Structured JSON logs. Secrets and prompt text are redacted by default.
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.apiKey', '*.authorization', '*.password', 'req.headers.authorization', '*.message', '*.prompt', '*.text'],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
