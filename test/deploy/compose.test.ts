// The compose stack: valid against the Compose Specification's JSON schema (shipped in the npm
// package dclint), and wired the way the stack needs: healthchecks, start order, profiles for the
// model server, no committed secrets, files it mounts present.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { composeFile, readYaml, repoRoot } from './deploy-tools.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- compose documents are free-form */
type Service = Record<string, any>;
interface Compose { name?: string; services: Record<string, Service>; volumes?: Record<string, unknown> }

const require = createRequire(import.meta.url);
const schemaPath = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator(): (data: unknown) => ErrorObject[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const { $schema: dialect, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $schema?: string };
  // Ajv's default class implements draft-07; the schema names it without the trailing '#'.
  expect(dialect).toMatch(/json-schema\.org\/draft-07\/schema#?$/);
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : [...(validate.errors ?? [])]);
}

const compose = readYaml<Compose>(composeFile);
const services = compose.services;
const composeDir = path.dirname(composeFile);
const appServices = ['api', 'chat-worker', 'ingestion-worker'];
const oneShot = new Set(['temporal-setup']);
const ragtimeSearchAttributes = ['RagtimeTenant', 'RagtimeConversation', 'RagtimeModel', 'RagtimeOutcome', 'RagtimeFusionStrategy'];

const dependencies = (service: Service): Record<string, { condition?: string; required?: boolean }> =>
  Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((name: string) => [name, {}])) : (service.depends_on ?? {});

describe('compose.yaml', () => {
  it('validates against the Compose Specification schema', () => {
    expect(existsSync(schemaPath), `compose-spec schema at ${schemaPath} (npm ci installs dclint)`).toBe(true);
    const errors = validator()(compose);
    expect(errors.map((error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`)).toEqual([]);
  });

  it('rejects a broken compose file with the same schema (the check is real)', () => {
    const broken = structuredClone(compose) as Compose;
    (broken.services.api as Service).depends_on.postgres.condition = 'service_ready';
    (broken.services.redis as Service).healthcheck.interval = 5;
    (broken.services.qdrant as Service).restart_policy = 'always';
    expect(validator()(broken).length).toBeGreaterThanOrEqual(3);
  });

  it('has the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api', 'chat-worker', 'grafana', 'ingestion-worker', 'llama-cpp', 'postgres', 'prometheus', 'qdrant', 'redis',
      'temporal', 'temporal-setup', 'temporal-ui', 'vllm',
    ]);
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal?.environment.DB).toMatch(/^postgres/);
    expect(dependencies(services.temporal as Service).postgres?.condition).toBe('service_healthy');
  });

  it('gives every long-running service a healthcheck, and waits on health before starting dependants', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShot.has(name)) {
        expect(service.restart, name).toBe('no');
        continue;
      }
      expect(service.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(service.restart, name).toBe('unless-stopped');
      for (const [dependency, options] of Object.entries(dependencies(service))) {
        expect(services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined();
        const expected = oneShot.has(dependency) ? 'service_completed_successfully' : 'service_healthy';
        expect(options.condition, `${name} -> ${dependency}`).toBe(expected);
      }
    }
    for (const name of appServices) {
      const needs = Object.keys(dependencies(services[name] as Service));
      expect(needs, name).toEqual(expect.arrayContaining(['postgres', 'redis', 'qdrant', 'temporal', 'temporal-setup']));
    }
    // No cycles: a topological order exists.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `dependency cycle through ${name}`).toBe(false);
      visiting.add(name);
      for (const dependency of Object.keys(dependencies(services[name] as Service))) visit(dependency);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name);
  });

  it('serves the model from llama.cpp (profile cpu) or vLLM on a GPU (profile gpu) under one name', () => {
    expect(services.vllm?.profiles).toEqual(['gpu']);
    expect(services['llama-cpp']?.profiles).toEqual(['cpu']);
    expect(services.vllm?.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 1, capabilities: ['gpu'] }]);
    for (const name of ['vllm', 'llama-cpp']) {
      expect(services[name]?.networks.default.aliases, name).toEqual(['model-server']);
    }
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'vllm' && name !== 'llama-cpp') expect(service.profiles, `${name} must run in every profile`).toBeUndefined();
    }
    for (const name of ['chat-worker', 'ingestion-worker']) {
      const needs = dependencies(services[name] as Service);
      expect(needs.vllm, name).toEqual({ condition: 'service_healthy', required: false });
      expect(needs['llama-cpp'], name).toEqual({ condition: 'service_healthy', required: false });
    }
    expect(readFileSync(path.join(composeDir, 'env.example'), 'utf8')).toMatch(/^COMPOSE_PROFILES=cpu$/m);
  });

  it('runs the three Ragtime roles from the one image, hardened, with the full configuration', () => {
    for (const name of appServices) {
      const service = services[name] as Service;
      expect(service.command, name).toEqual([name]);
      expect(path.resolve(composeDir, service.build.context)).toBe(repoRoot);
      expect(existsSync(path.join(repoRoot, service.build.dockerfile)), name).toBe(true);
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
      expect(parseSeconds(service.stop_grace_period), name).toBeGreaterThanOrEqual(30);
      expect(Object.keys(service.environment), name).toEqual(expect.arrayContaining([
        'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'DATABASE_URL', 'REDIS_URL', 'LLM_BASE_URL', 'LLM_MODEL',
        'LLM_API_KEY', 'QDRANT_URL', 'METRICS_PORT',
      ]));
      expect(service.environment.LLM_BASE_URL).toBe('http://model-server:8000/v1');
      expect(service.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    expect(services.api?.environment.API_PORT).toBe('8787');
    expect(services.api?.environment.API_HOST).toBe('0.0.0.0');
    expect(services.api?.healthcheck.test.join(' ')).toContain('/readyz');
  });

  it('commits no secret: every password-like value is a variable that env.example documents', () => {
    const example = readFileSync(path.join(composeDir, 'env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]));
    const text = readFileSync(composeFile, 'utf8');
    const required = [...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((match) => match[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const variable of required) expect(documented.has(variable), `${variable} missing from env.example`).toBe(true);
    for (const line of example.split('\n')) {
      if (/^(POSTGRES_PASSWORD|GRAFANA_ADMIN_PASSWORD|LLM_API_KEY|HF_TOKEN)=/.test(line)) expect(line, 'env.example must leave secrets empty').toMatch(/=$/);
    }
    const walk = (value: unknown, where: string): void => {
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) walk(inner, `${where}.${key}`);
      } else if (typeof value === 'string' && /(PASSWORD|PWD|SECRET|API_KEY|TOKEN)$/.test(where.split('.').pop() ?? '')) {
        expect(value, `${where} must come from the environment`).toMatch(/^\$\{[A-Z0-9_]+(:[?-][^}]*)?\}$/);
      }
    };
    walk(services, 'services');
    expect(services.api?.environment.DATABASE_URL).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
  });

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0] ?? '';
        if (!source.startsWith('.')) {
          expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source);
          continue;
        }
        expect(existsSync(path.resolve(composeDir, source)), `${name} mounts ${source}`).toBe(true);
      }
    }
  });

  it('scrapes every Ragtime process from Prometheus and provisions Grafana', () => {
    const prometheus = readYaml<{ scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>(
      path.join(composeDir, 'prometheus/prometheus.yml'),
    );
    const targets = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]));
    expect(targets['ragtime-api']).toEqual(['api:8787']);
    expect(targets['ragtime-chat-worker']).toEqual([`chat-worker:${services['chat-worker']?.environment.METRICS_PORT}`]);
    expect(targets['ragtime-ingestion-worker']).toEqual([`ingestion-worker:${services['ingestion-worker']?.environment.METRICS_PORT}`]);
    for (const [job, hosts] of Object.entries(targets)) {
      for (const host of hosts ?? []) {
        const name = host.split(':')[0] ?? '';
        expect(name === '127.0.0.1' || name === 'model-server' || name in services, `${job} scrapes unknown host ${name}`).toBe(true);
      }
    }
    const datasource = readYaml<{ datasources: { url: string; uid: string }[] }>(path.join(composeDir, 'grafana/provisioning/datasources/prometheus.yaml'));
    expect(datasource.datasources[0]?.url).toBe('http://prometheus:9090');
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(path.join(composeDir, 'grafana/provisioning/dashboards/ragtime.yaml'));
    const dashboardMount = (services.grafana?.volumes as string[]).find((volume) => volume.endsWith('.json:ro'));
    expect(dashboardMount?.split(':')[1]?.startsWith(`${provider.providers[0]?.options.path}/`)).toBe(true);
  });

  it('runs Temporal with the fairness dynamic config that scripts/stack-up.sh passes the dev server', () => {
    const temporal = services.temporal as Service;
    const target = `/etc/temporal/${temporal.environment.DYNAMIC_CONFIG_FILE_PATH}`;
    const mount = (temporal.volumes as string[]).find((volume) => volume.split(':')[1] === target);
    expect(mount, `a file mounted at ${target}`).toBeDefined();
    const dynamicConfig = readYaml<Record<string, { value: unknown; constraints?: unknown }[]>>(path.resolve(composeDir, mount?.split(':')[0] ?? ''));
    const stackUp = readFileSync(path.join(repoRoot, 'scripts/stack-up.sh'), 'utf8');
    const devServerValues = Object.fromEntries([...stackUp.matchAll(/--dynamic-config-value ([\w.]+)=(\S+)/g)].map((match) => [match[1], JSON.parse(match[2] ?? '')]));
    expect(devServerValues).toEqual({ 'matching.useNewMatcher': true, 'matching.enableFairness': true });
    expect(Object.fromEntries(Object.entries(dynamicConfig).map(([key, values]) => [key, values.map((entry) => entry.value)]))).toEqual(
      Object.fromEntries(Object.entries(devServerValues).map(([key, value]) => [key, [value]])),
    );
  });

  it('registers the search attributes the workflows use', () => {
    const script = (services['temporal-setup']?.command as string[]).join('\n');
    const registered = /for attribute in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/);
    expect(registered).toEqual(ragtimeSearchAttributes);
    const workflowAttributes = path.join(repoRoot, 'workflows/search-attributes.ts');
    if (existsSync(workflowAttributes)) {
      const defined = [...readFileSync(workflowAttributes, 'utf8').matchAll(/defineSearchAttributeKey\('(\w+)',\s*'(\w+)'\)/g)];
      expect(defined.map((match) => match[1]).sort()).toEqual([...ragtimeSearchAttributes].sort());
      expect(new Set(defined.map((match) => match[2]))).toEqual(new Set(['KEYWORD']));
    }
  });
});

function parseSeconds(duration: string | undefined): number {
  const match = /^(\d+)(s|m)$/.exec(duration ?? '');
  if (!match) return 0;
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

