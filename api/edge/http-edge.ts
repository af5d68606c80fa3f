// The HTTP edge: every body, query string and path parameter is checked against the payload budget before a
// route sees it, and validated without coercion. JSON bodies are parsed by secure-json-parse (prototype
// poisoning refused) only after a linear depth scan; request bodies and headers have deadlines.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Ajv, type Options } from 'ajv';
import formats from 'ajv-formats';
import secureJson from 'secure-json-parse';
import { RagtimeError } from '../../domain/errors.js';
import { findUnsafeText, jsonDepthExceeds, maxJsonDepth, unsafeTextMessage } from './payload-budget.js';

// ajv-formats is CommonJS: under ESM its plugin is the module's `default` property.
const addFormats = formats.default;

/** A payload refused at the edge: 400 bad_request, naming the field when it can. */
export class EdgeError extends RagtimeError {
  declare readonly code: 'bad_request';
  readonly statusCode = 400;

  constructor(message: string, readonly param: string | null = null) {
    super('bad_request', message);
  }
}

function validator(options: Options): Ajv {
  const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

export function installEdgeGuards(app: FastifyInstance): void {
  // Bodies are JSON and are taken as sent: `max_tokens: 0` stays 0 (and is refused) instead of becoming null,
  // and an unexpected field is refused where the schema says so instead of dropped. Query strings and path
  // parameters arrive as text, so only they are coerced to the schema's numbers.
  const bodies = validator({ coerceTypes: false, removeAdditional: false });
  const queries = validator({ coerceTypes: true, removeAdditional: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : queries).compile(schema));

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text) !== undefined) return done(new EdgeError(`The body nests deeper than ${maxJsonDepth} levels.`), undefined);
    try {
      done(null, text.length === 0 ? undefined : secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(new EdgeError(`The body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  // Text Postgres and Redis cannot store is refused here, naming the field, not discovered in a later step.
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [['query', request.query], ['params', request.params], ['body', request.body]] as const) {
      const unsafe = findUnsafeText(value);
      if (unsafe) throw new EdgeError(`${part}${unsafeTextMessage(unsafe)}`, `${part}${unsafe.path}`);
    }
  });
}

/**
 * Requests Node refuses before fastify sees them (headers too large, a request timeout, a malformed request):
 * answered in the error shape with a code, then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'request_header_fields_too_large']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout'] : [400, 'bad_request'];
  const body = JSON.stringify({ error: { message: STATUS_CODES[status], type: 'invalid_request_error', code, param: null } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The `param` of a validation error: the field it names, as OpenAI's error shape carries it. */
export function paramOf(error: FastifyError): string | null {
  const first = error.validation?.[0];
  if (!first) return null;
  const missing = (first.params as { missingProperty?: string } | undefined)?.missingProperty;
  const path = `${first.instancePath}${missing ? `/${missing}` : ''}`.replace(/^\//, '').replaceAll('/', '.');
  return path || null;
}
