// The browser chat client (web/, built by the setup into web/dist) served from the API's own origin: no CDN,
// a strict Content-Security-Policy (scripts, styles and sockets from this origin only), hashed assets cached
// for a year, index.html revalidated on every load so a new build is picked up at once.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface WebClientOptions {
  /** The built client (web/dist); when it is missing the API runs without it and says so. */
  directory: string;
}

const contentSecurityPolicy = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

export async function webClientPlugin(app: FastifyInstance, options: WebClientOptions): Promise<void> {
  if (!existsSync(path.join(options.directory, 'index.html'))) {
    app.log.warn({ directory: options.directory }, 'web client not built (run scripts/setup.sh); / is not served');
    return;
  }
  await app.register(fastifyStatic, {
    root: options.directory,
    prefix: '/',
    // Routes for the files that exist, not a catch-all: unknown paths stay the API's 404.
    wildcard: false,
    cacheControl: false,
    setHeaders(response, file) {
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      response.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      response.header('content-security-policy', contentSecurityPolicy);
      response.header('x-content-type-options', 'nosniff');
      response.header('referrer-policy', 'no-referrer');
    },
  });
}
