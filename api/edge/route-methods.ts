// Which methods each path serves, learned as routes are added, so a request with the wrong method is told so
// (405 with Allow, in OpenAI's error shape) instead of "no such route". Parametric segments (`:model`) match
// any one segment, a wildcard (`*`) the rest of the path.
import type { FastifyInstance } from 'fastify';

export class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  /** Records every route registered on `app` from now on. */
  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      this.routes.push({ pattern: patternOf(route.url), methods: new Set(methods.map((method) => method.toUpperCase())) });
    });
  }

  /** The methods some route serves at `path` (empty: no route at all). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) route.methods.forEach((method) => methods.add(method));
    return [...methods].sort();
  }
}

function patternOf(url: string): RegExp {
  const escaped = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return new RegExp(`^${escaped}/?$`);
}
