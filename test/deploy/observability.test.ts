// The SLO alert rules, the Grafana dashboard and the compose Prometheus config: valid for
// promtool, behaving as the unit tests describe, and written against the metrics contract.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  dashboardFile, deployDir, readJson, readMetricsContract, readYaml, requireTool, rulesFile, rulesTestFile, run,
} from './deploy-tools.js';

interface Rule { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: { name: string; rules: Rule[] }[] }
interface Panel {
  id: number; type: string; title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
}
interface Dashboard { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string }[] } }

const scratch = mkdtempSync(path.join(tmpdir(), 'ragtime-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rules = readYaml<RuleFile>(rulesFile);
const dashboard = readJson<Dashboard>(dashboardFile);
const contract = readMetricsContract();
const dashboardExprs = (): string[] => dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const ruleExprs = (): string[] => rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));

/** Metric selectors in a PromQL expression: name and the label names it matches on. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  const found: { metric: string; labels: string[] }[] = [];
  for (const match of expr.matchAll(/\b(ragtime_[a-z_]+)(\{([^}]*)\})?/g)) {
    const labels = [...(match[3] ?? '').matchAll(/([a-zA-Z_]+)\s*(=~|!~|!=|=)/g)].map((label) => label[1] ?? '');
    found.push({ metric: match[1] ?? '', labels });
  }
  for (const match of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    const grouped = (match[1] ?? '').split(',').map((label) => label.trim()).filter(Boolean);
    found.push({ metric: '(grouping)', labels: grouped });
  }
  return found;
}

/** The contract metric a series name belongs to (histograms expose _bucket, _sum and _count). */
function baseMetric(series: string): string | undefined {
  if (contract.has(series)) return series;
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return contract.get(base)?.type === 'histogram' ? base : undefined;
}

describe('metrics contract (infra/deploy/METRICS.md)', () => {
  it('lists the agreed metrics with their labels', () => {
    expect([...contract.keys()].sort()).toEqual([
      'ragtime_budget_used_ratio', 'ragtime_cache_hits_total', 'ragtime_circuit_breaker_state', 'ragtime_cost_usd_total',
      'ragtime_http_request_duration_seconds', 'ragtime_http_requests_total', 'ragtime_ingestion_documents_total',
      'ragtime_rate_limit_rejections_total', 'ragtime_tokens_total', 'ragtime_ttft_seconds', 'ragtime_websocket_connections',
      'ragtime_workflow_step_duration_seconds',
    ]);
    expect(contract.get('ragtime_http_requests_total')).toEqual({ type: 'counter', labels: ['route', 'method', 'status'] });
    expect(contract.get('ragtime_workflow_step_duration_seconds')).toEqual({ type: 'histogram', labels: ['step', 'outcome'] });
    expect(contract.get('ragtime_tokens_total')?.labels).toEqual(['model', 'tier', 'direction']);
    expect(contract.get('ragtime_cache_hits_total')?.labels).toEqual([]);
    for (const [name, { type }] of contract) {
      if (type === 'counter') expect(name, 'counters end in _total').toMatch(/_total$/);
      else expect(name, `${type}s do not end in _total`).not.toMatch(/_total$/);
    }
  });

  it('is what the rules and the dashboard use: known metrics, known labels, every metric shown', () => {
    const problems: string[] = [];
    const used = new Set<string>();
    const allowedGrouping = new Set(['le', 'job', 'instance', ...[...contract.values()].flatMap((entry) => entry.labels)]);
    for (const expr of [...ruleExprs(), ...dashboardExprs()]) {
      for (const { metric, labels } of selectors(expr)) {
        if (metric === '(grouping)') {
          for (const label of labels) if (!allowedGrouping.has(label)) problems.push(`grouping by unknown label ${label} in: ${expr}`);
          continue;
        }
        const base = baseMetric(metric);
        if (!base) { problems.push(`${metric} is not in METRICS.md (in: ${expr})`); continue; }
        used.add(base);
        const allowed = new Set([...(contract.get(base)?.labels ?? []), ...(metric.endsWith('_bucket') ? ['le'] : [])]);
        for (const label of labels) if (!allowed.has(label)) problems.push(`${metric} has no label ${label} (in: ${expr})`);
      }
    }
    expect(problems).toEqual([]);
    const dashboardMetrics = new Set(dashboardExprs().flatMap((expr) => selectors(expr).map((s) => baseMetric(s.metric))));
    expect([...contract.keys()].filter((metric) => !dashboardMetrics.has(metric)), 'contract metrics missing from the dashboard').toEqual([]);
    expect([...contract.keys()].filter((metric) => !used.has(metric))).toEqual([]);
  });

  it('keeps the histogram buckets the SLO rules read', () => {
    const bucketsRead = new Set(ruleExprs().flatMap((expr) => [...expr.matchAll(/le="([^"]+)"/g)].map((match) => match[1])));
    expect([...bucketsRead]).toEqual(['2']);
    const ttftRow = readFileSync(path.join(deployDir, 'METRICS.md'), 'utf8').split('\n').find((line) => line.startsWith('| `ragtime_ttft_seconds`'));
    const buckets = /Buckets: ([\d., ]+)\./.exec(ttftRow ?? '')?.[1]?.split(',').map((bucket) => bucket.trim());
    expect(buckets).toContain('2');
  });
});

describe('Prometheus alert rules (promtool)', () => {
  it('pass promtool check rules', async () => {
    const result = await run(requireTool('promtool'), ['check', 'rules', rulesFile]);
    expect(result.stderr + result.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  it('fire and stay quiet as the promtool unit tests say', async () => {
    const result = await run(requireTool('promtool'), ['test', 'rules', path.basename(rulesTestFile)], { cwd: path.dirname(rulesTestFile) });
    expect(result.stdout + result.stderr, 'promtool test rules output').toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('cover every SLO with a paging alert, and every alert has a severity and a summary', () => {
    const alerts = rules.groups.flatMap((group) => group.rules.filter((rule) => rule.alert));
    for (const alert of alerts) {
      expect(['page', 'ticket'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(alert.annotations?.description, alert.alert).toBeTruthy();
    }
    const pagedSlos = new Set(alerts.filter((alert) => alert.labels?.severity === 'page').map((alert) => alert.labels?.slo));
    for (const slo of ['availability', 'time-to-first-token', 'error-rate', 'budget']) expect([...pagedSlos]).toContain(slo);
    // Every alert is exercised by the promtool unit tests.
    const tested = new Set([...readFileSync(rulesTestFile, 'utf8').matchAll(/alertname: (\w+)/g)].map((match) => match[1]));
    const untested = alerts.map((alert) => alert.alert).filter((name) => !tested.has(name));
    expect(untested.filter((name) => !/SlowBurn$|IngestionFailuresHigh|RateLimitRejectionsHigh/.test(name ?? ''))).toEqual([]);
  });

  it('fail promtool on a broken rule (the check is real)', async () => {
    const broken = path.join(scratch, 'broken-rules.yaml');
    writeFileSync(broken, stringify({ groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(ragtime_http_requests_total[5m]) by' }] }] }));
    const result = await run(requireTool('promtool'), ['check', 'rules', broken]);
    expect(result.code).not.toBe(0);
  });
});

describe('Grafana dashboard', () => {
  it('is a provisionable dashboard with a datasource variable and laid-out panels', () => {
    expect(dashboard.uid).toBe('ragtime-overview');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { h, w, x, y } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      expect(w * h, panel.title).toBeGreaterThan(0);
      for (let row = y; row < y + h; row += 1) {
        for (let column = x; column < x + w; column += 1) {
          const cell = `${row}:${column}`;
          expect(cells.has(cell), `panel "${panel.title}" overlaps another at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
      if (panel.type === 'row') continue;
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
    }
    const titles = dashboard.panels.map((panel) => panel.title.toLowerCase()).join(' | ');
    for (const topic of ['availability', 'first token', 'error', 'budget']) expect(titles).toContain(topic);
  });

  it('queries only valid PromQL (checked by promtool as recording rules)', async () => {
    const exprs = dashboardExprs().map((expr) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h'));
    expect(exprs.every((expr) => !expr.includes('$'))).toBe(true);
    const file = path.join(scratch, 'dashboard-queries.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, index) => ({ record: `dashboard:query_${index}`, expr })) }] }));
    const result = await run(requireTool('promtool'), ['check', 'rules', file]);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.code).toBe(0);
  });
});

describe('compose Prometheus configuration', () => {
  it('passes promtool check config', async () => {
    const result = await run(requireTool('promtool'), ['check', 'config', path.join(deployDir, 'compose/prometheus/prometheus.yml')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
