import { pino, type Logger, type LoggerOptions } from 'pino';
import { traceLogFields } from './tracing/trace-id.js';

/** Secrets are always redacted; prompt and answer text unless LOG_PROMPTS=true. */
const secretPaths = ['*.apiKey', '*.authorization', '*.password', 'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];
/** Not `*.message`: error messages stay readable; a chat frame's `message` is covered by the explicit paths. */
const promptPaths = ['*.prompt', '*.text', '*.question', '*.answer', '*.messages', '*.content', 'chat.message', 'frame.message', 'body.message'];

/** pino options every Ragtime process shares: redaction, and the active trace id on each line. */
export function loggerOptions(level: string, options: { logPrompts?: boolean } = {}): LoggerOptions {
  return {
    level,
    redact: { paths: options.logPrompts ? secretPaths : [...secretPaths, ...promptPaths], censor: '[redacted]' },
    mixin: traceLogFields,
  };
}

// Structured JSON logs. Secrets and prompt text are redacted by default.
export function createLogger(level: string, name: string, options: { logPrompts?: boolean } = {}): Logger {
  return pino({ name, ...loggerOptions(level, options) });
}
export type { Logger };
