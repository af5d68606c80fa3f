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
export function createLogger(level: string, name: string, options: { logPrompts?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pinoOptions = { name, ...loggerOptions(level, options) };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
export type { Logger };

type TemporalLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const pinoLevels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The Temporal SDK's logger (Runtime.install({ logger })) writing through pino: worker, workflow and
 * activity lines become JSON with their workflowId, runId, activityType, taskQueue… and the redaction and
 * trace ids of every other line.
 */
export function temporalLogger(logger: Logger) {
  const log = (level: TemporalLogLevel, message: string, meta: Record<string, unknown> = {}) => {
    const { error, ...rest } = meta;
    logger[pinoLevels[level]](error === undefined ? rest : { ...rest, err: error }, message);
  };
  return {
    log,
    trace: (message: string, meta?: Record<string, unknown>) => log('TRACE', message, meta),
    debug: (message: string, meta?: Record<string, unknown>) => log('DEBUG', message, meta),
    info: (message: string, meta?: Record<string, unknown>) => log('INFO', message, meta),
    warn: (message: string, meta?: Record<string, unknown>) => log('WARN', message, meta),
    error: (message: string, meta?: Record<string, unknown>) => log('ERROR', message, meta),
  };
}
