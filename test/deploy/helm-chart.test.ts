// Renders the Helm chart for every environment with Helm's own engine (helm-python-sdk, the Helm Go
// SDK) and validates each manifest against the Kubernetes OpenAPI schemas of the oldest Kubernetes
// the chart supports and of the newest one kubernetes-validate knows (strict: unknown fields fail).
// Then checks the production properties the chart promises, on the rendered objects.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartDir, deployDir, readYaml, requireTool, rulesFile, run } from './deploy-tools.js';

const environments = ['development', 'staging', 'production'] as const;
const kubeVersions = ['1.27.0', '1.37.0'];
const customResourceGroups = ['monitoring.coreos.com/'];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests of many kinds
  data?: Record<string, string>;
}
interface RenderReport {
  fatal?: string;
  renderError?: string;
  helmSdkVersion?: string;
  lint?: { messages: { severity: number; path: string; error: string }[]; errors: string[] };
  documents?: { source: string; doc?: K8sObject; parseError?: string; validation?: Record<string, string> }[];
}

async function render(valuesFile: string | null, overrides?: object): Promise<RenderReport> {
  const python = requireTool('python');
  const args = [path.join(deployDir, 'tools/render-chart.py'), chartDir];
  if (valuesFile) args.push(valuesFile);
  args.push('--release', 'ragtime', '--namespace', 'ragtime');
  for (const version of kubeVersions) args.push('--kube-version', version);
  if (overrides) args.push('--set-json', JSON.stringify(overrides));
  const result = await run(python, args);
  if (result.code !== 0) throw new Error(`render-chart.py exited ${result.code}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as RenderReport;
  if (report.fatal) throw new Error(`render-chart.py: ${report.fatal} — run \`sudo bash infra/deploy/check-tools.sh\``);
  return report;
}

const objectsOf = (report: RenderReport): K8sObject[] =>
  (report.documents ?? []).flatMap((entry) => (entry.doc ? [entry.doc] : []));
const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const reports = new Map<string, RenderReport>();

beforeAll(async () => {
  for (const environment of environments) {
    reports.set(environment, await render(path.join(chartDir, `values-${environment}.yaml`)));
  }
}, 60_000);

describe.each(environments)('helm chart, %s values', (environment) => {
  const report = (): RenderReport => reports.get(environment) as RenderReport;
  const objects = (): K8sObject[] => objectsOf(report());
  const deployments = (): K8sObject[] => objects().filter((object) => object.kind === 'Deployment');
  const ragtimeDeployments = (): K8sObject[] =>
    deployments().filter((object) => object.metadata.labels?.['app.kubernetes.io/component'] !== 'model-server');

  it('renders with Helm and lints clean (strict)', () => {
    expect(report().renderError).toBeUndefined();
    expect(report().helmSdkVersion).toMatch(/^v[34]\./);
    expect(report().lint?.errors).toEqual([]);
    // severity 2 = warning, 3 = error; info (1) such as "icon is recommended" is allowed.
    expect(report().lint?.messages.filter((message) => message.severity >= 2)).toEqual([]);
    expect(report().documents?.filter((entry) => entry.parseError)).toEqual([]);
  });

  it('produces only manifests that are valid Kubernetes objects', () => {
    const problems: string[] = [];
    for (const entry of report().documents ?? []) {
      const doc = entry.doc as K8sObject;
      const custom = customResourceGroups.some((group) => doc.apiVersion.startsWith(group));
      for (const [version, result] of Object.entries(entry.validation ?? {})) {
        if (result === 'valid' || (custom && result === 'no-schema')) continue;
        problems.push(`${doc.kind}/${doc.metadata.name} on Kubernetes ${version}: ${result}`);
      }
      expect(Object.keys(entry.validation ?? {})).toEqual(kubeVersions);
    }
    expect(problems).toEqual([]);
  });

  it('has the api, both workers and a model server, each with a Service', () => {
    for (const name of ['ragtime-api', 'ragtime-chat-worker', 'ragtime-ingestion-worker', 'ragtime-model-server']) {
      const deployment = find(objects(), 'Deployment', name);
      expect(deployment, `Deployment ${name}`).toBeDefined();
      const service = find(objects(), 'Service', name);
      expect(service, `Service ${name}`).toBeDefined();
      const podLabels = deployment?.spec.template.metadata.labels;
      expect(matches(deployment?.spec.selector.matchLabels, podLabels)).toBe(true);
      expect(matches(service?.spec.selector, podLabels)).toBe(true);
    }
    const roles = Object.fromEntries(ragtimeDeployments().map((d) => [d.metadata.name, d.spec.template.spec.containers[0].args]));
    expect(roles).toEqual({
      'ragtime-api': ['api'],
      'ragtime-chat-worker': ['chat-worker'],
      'ragtime-ingestion-worker': ['ingestion-worker'],
    });
  });

  it('runs every Ragtime container non-root, read-only, without privileges, with probes and resources', () => {
    for (const deployment of ragtimeDeployments()) {
      const pod = deployment.spec.template.spec;
      const label = deployment.metadata.name;
      expect(pod.securityContext, label).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser, label).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken, label).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext, label).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.livenessProbe?.httpGet, `${label} liveness`).toBeDefined();
        expect(container.readinessProbe?.httpGet, `${label} readiness`).toBeDefined();
        expect(container.startupProbe?.httpGet, `${label} startup`).toBeDefined();
        expect(container.resources.requests.cpu, label).toBeDefined();
        expect(container.resources.requests.memory, label).toBeDefined();
        expect(container.resources.limits.memory, label).toBeDefined();
        const names = (container.ports as { name: string }[]).map((port) => port.name);
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
          expect(names, `${label} probe port`).toContain(probe.httpGet.port);
        }
      }
    }
    const api = find(objects(), 'Deployment', 'ragtime-api')?.spec.template.spec.containers[0];
    expect(api.readinessProbe.httpGet.path).toBe('/readyz');
    expect(api.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it('terminates gracefully: a preStop pause shorter than the grace period, long enough to drain', () => {
    for (const deployment of deployments()) {
      const pod = deployment.spec.template.spec;
      const preStop: string[] = pod.containers[0].lifecycle?.preStop?.exec?.command ?? [];
      expect(preStop[0], deployment.metadata.name).toBe('sleep');
      const pause = Number(preStop[1]);
      expect(pause).toBeGreaterThanOrEqual(0);
      expect(pod.terminationGracePeriodSeconds - pause, deployment.metadata.name).toBeGreaterThanOrEqual(30);
    }
    for (const name of ['ragtime-chat-worker', 'ragtime-ingestion-worker']) {
      expect(find(objects(), 'Deployment', name)?.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
    }
    for (const deployment of ragtimeDeployments()) {
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable, deployment.metadata.name).toBe(0);
    }
  });

  it('takes configuration from a ConfigMap and secrets only by reference', () => {
    expect(objects().filter((object) => object.kind === 'Secret')).toEqual([]);
    const config = find(objects(), 'ConfigMap', 'ragtime-config');
    expect(Object.keys(config?.data ?? {})).toEqual(
      expect.arrayContaining(['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'QDRANT_URL', 'LLM_BASE_URL', 'LLM_MODEL', 'API_HOST', 'API_PORT', 'METRICS_PORT']),
    );
    for (const secretKey of ['DATABASE_URL', 'REDIS_URL', 'LLM_API_KEY']) expect(config?.data).not.toHaveProperty(secretKey);
    expect(config?.data?.LLM_BASE_URL).toBe('http://ragtime-model-server:8000/v1');
    // Workers route with their environment's registry entries, the ones `deployment promote` writes.
    expect(config?.data?.MODEL_ENVIRONMENT).toBe(environment);
    for (const deployment of ragtimeDeployments()) {
      const envFrom = deployment.spec.template.spec.containers[0].envFrom;
      expect(envFrom).toEqual([{ configMapRef: { name: 'ragtime-config' } }, { secretRef: { name: `ragtime-${environment}` } }]);
      expect(deployment.spec.template.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    }
  });

  it('lets only the workers reach the model server', () => {
    const policy = find(objects(), 'NetworkPolicy', 'ragtime-model-server');
    const modelServerPods = find(objects(), 'Deployment', 'ragtime-model-server')?.spec.template.metadata.labels;
    expect(matches(policy?.spec.podSelector.matchLabels, modelServerPods)).toBe(true);
    expect(policy?.spec.policyTypes).toEqual(['Ingress']);
    expect(policy?.spec.ingress).toHaveLength(1);
    const [rule] = policy?.spec.ingress;
    expect(rule.from).toHaveLength(1);
    expect(rule.from[0].namespaceSelector).toBeUndefined();
    const allowed = rule.from[0].podSelector.matchLabels;
    const reachers = deployments().filter((d) => matches(allowed, d.spec.template.metadata.labels)).map((d) => d.metadata.name);
    expect(reachers.sort()).toEqual(['ragtime-chat-worker', 'ragtime-ingestion-worker']);
    // Every Ragtime pod is isolated by some policy (none is open by omission).
    for (const deployment of deployments()) {
      const covered = objects().some((o) => o.kind === 'NetworkPolicy' && matches(o.spec.podSelector.matchLabels, deployment.spec.template.metadata.labels));
      expect(covered, deployment.metadata.name).toBe(true);
    }
  });

  if (environment === 'development') {
    it('keeps development small: no autoscaling, no disruption budgets, CPU model server', () => {
      expect(objects().filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'PodDisruptionBudget')).toEqual([]);
      const modelServer = find(objects(), 'Deployment', 'ragtime-model-server');
      expect(modelServer?.metadata.labels?.['ragtime.dev/engine']).toBe('llamacpp');
      expect(JSON.stringify(modelServer?.spec.template.spec.containers[0].resources)).not.toContain('nvidia.com/gpu');
    });
  } else {
    it('autoscales the api and the workers and protects them with disruption budgets', () => {
      for (const name of ['ragtime-api', 'ragtime-chat-worker', 'ragtime-ingestion-worker']) {
        const hpa = find(objects(), 'HorizontalPodAutoscaler', name);
        expect(hpa?.spec.scaleTargetRef, name).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(1);
        expect(hpa?.spec.maxReplicas).toBeGreaterThan(hpa?.spec.minReplicas);
        // With an HPA the Deployment must not pin replicas, or every rollout resets the scale.
        expect(find(objects(), 'Deployment', name)?.spec.replicas, name).toBeUndefined();
      }
      for (const pdb of objects().filter((o) => o.kind === 'PodDisruptionBudget')) {
        const targets = deployments().filter((d) => matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels));
        expect(targets, pdb.metadata.name).toHaveLength(1);
        const hpa = find(objects(), 'HorizontalPodAutoscaler', pdb.metadata.name);
        if (hpa && typeof pdb.spec.minAvailable === 'number') {
          expect(pdb.spec.minAvailable, `${pdb.metadata.name} must leave room to evict`).toBeLessThan(hpa.spec.minReplicas);
        }
      }
      expect(find(objects(), 'PodDisruptionBudget', 'ragtime-api')).toBeDefined();
      expect(find(objects(), 'PodDisruptionBudget', 'ragtime-chat-worker')).toBeDefined();
    });

    it('serves the model from vLLM on a GPU', () => {
      const modelServer = find(objects(), 'Deployment', 'ragtime-model-server');
      expect(modelServer?.metadata.labels?.['ragtime.dev/engine']).toBe('vllm');
      const container = modelServer?.spec.template.spec.containers[0];
      expect(container.image).toMatch(/^vllm\/vllm-openai:/);
      expect(container.resources.limits['nvidia.com/gpu']).toBe(1);
      expect(container.args).toContain('--served-model-name=smollm2-135m-instruct');
    });

    it('is scraped by a ServiceMonitor and ships the SLO rules and the dashboard', () => {
      const monitor = find(objects(), 'ServiceMonitor', 'ragtime');
      expect(monitor?.apiVersion).toBe('monitoring.coreos.com/v1');
      const scraped = objects().filter((o) => o.kind === 'Service' && matches(monitor?.spec.selector.matchLabels, o.metadata.labels));
      expect(scraped.map((service) => service.metadata.name).sort()).toEqual(['ragtime-api', 'ragtime-chat-worker', 'ragtime-ingestion-worker']);
      const endpointPorts = (monitor?.spec.endpoints as { port: string; path: string }[]).map((endpoint) => endpoint.port);
      for (const service of scraped) {
        const ports = (service.spec.ports as { name: string }[]).map((port) => port.name);
        expect(ports.some((port) => endpointPorts.includes(port)), service.metadata.name).toBe(true);
        // The job label the RagtimeTargetDown alert selects on.
        expect(service.metadata.labels?.[monitor?.spec.jobLabel]).toMatch(/^ragtime-/);
      }
      const rule = find(objects(), 'PrometheusRule', 'ragtime-slo');
      const source = readYaml<{ groups: unknown[] }>(rulesFile);
      expect(rule?.spec.groups).toEqual(source.groups);
      const dashboard = find(objects(), 'ConfigMap', 'ragtime-dashboard');
      expect(dashboard?.metadata.labels?.grafana_dashboard).toBe('1');
      expect(JSON.parse(dashboard?.data?.['ragtime-overview.json'] ?? '')).toEqual(
        JSON.parse(readFileSync(path.join(chartDir, 'files/grafana/ragtime-overview.json'), 'utf8')),
      );
    });
  }

  if (environment === 'production') {
    it('spreads production over zones and keeps at least three api replicas', () => {
      const api = find(objects(), 'Deployment', 'ragtime-api');
      const keys = (api?.spec.template.spec.topologySpreadConstraints as { topologyKey: string }[]).map((c) => c.topologyKey);
      expect(keys).toContain('topology.kubernetes.io/zone');
      expect(find(objects(), 'HorizontalPodAutoscaler', 'ragtime-api')?.spec.minReplicas).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('helm chart guards', () => {
  it('refuses to render without a Secret reference', async () => {
    const report = await render(path.join(chartDir, 'values-production.yaml'), { secrets: { existingSecret: '' } });
    expect(report.renderError).toMatch(/secrets\.existingSecret/);
  });

  it('rejects secret keys smuggled into the ConfigMap through values', async () => {
    const report = await render(path.join(chartDir, 'values-development.yaml'), { config: { extra: { LLM_API_KEY: 'sk-123' } } });
    expect(report.renderError).toMatch(/values schema/);
  });

  it('catches a manifest Kubernetes would reject through the schema validation', async () => {
    // The values schema leaves nodeSelector open; Kubernetes wants string values there.
    const broken = await render(path.join(chartDir, 'values-development.yaml'), { modelServer: { nodeSelector: { gpu: { count: 1 } } } });
    expect(broken.renderError).toBeUndefined();
    const invalid = (broken.documents ?? []).filter((entry) => Object.values(entry.validation ?? {}).some((result) => result.startsWith('invalid')));
    expect(invalid.map((entry) => `${entry.doc?.kind}/${entry.doc?.metadata.name}`)).toEqual(['Deployment/ragtime-model-server']);
  });
});
