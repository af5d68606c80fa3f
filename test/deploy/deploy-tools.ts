// Shared helpers of the deployment checks: where the deploy assets are, and the external tools
// that infra/deploy/check-tools.sh installs. A missing tool fails the test that needs it with a
// message saying how to install it; nothing is skipped silently.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const deployDir = path.join(repoRoot, 'infra/deploy');
export const chartDir = path.join(deployDir, 'helm/ragtime');
export const rulesFile = path.join(chartDir, 'files/prometheus/ragtime-slo-rules.yaml');
export const rulesTestFile = path.join(chartDir, 'files/prometheus/ragtime-slo-rules.test.yaml');
export const dashboardFile = path.join(chartDir, 'files/grafana/ragtime-overview.json');
export const composeFile = path.join(deployDir, 'compose/compose.yaml');

export const toolsDir = process.env.RAGTIME_DEPLOY_TOOLS ?? '/opt/ragtime-deploy-tools';

const installHint = 'install the deployment check tools with `sudo bash infra/deploy/check-tools.sh` (or set RAGTIME_DEPLOY_TOOLS to where they are)';

/** Absolute path of a tool installed by check-tools.sh; throws with an install hint when absent. */
export function requireTool(name: 'promtool' | 'python'): string {
  const location = name === 'promtool' ? path.join(toolsDir, 'bin/promtool') : path.join(toolsDir, 'venv/bin/python');
  if (!existsSync(location)) {
    throw new Error(`${name} is missing at ${location}: ${installHint}`);
  }
  return location;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

export async function run(command: string, args: string[], options: { cwd?: string } = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? failure.message };
  }
}

/** Every file under a directory, recursively, as paths relative to the directory. */
export function listFiles(directory: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(path.relative(directory, full));
    }
  };
  walk(directory);
  return found.sort();
}

/** Parses a YAML file with every document; throws on any syntax error or warning. */
export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true, merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) {
      throw new Error(`${path.relative(repoRoot, file)}: ${problems.map((problem) => problem.message).join('; ')}`);
    }
  }
  return list.map((document) => document.toJS({ maxAliasCount: 100 }) as unknown);
}

export function readYaml<T = unknown>(file: string): T {
  const [first] = readYamlDocuments(file);
  return first as T;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Metric name -> allowed labels, read from the table in infra/deploy/METRICS.md. */
export function readMetricsContract(): Map<string, { type: string; labels: string[] }> {
  const text = readFileSync(path.join(deployDir, 'METRICS.md'), 'utf8');
  const contract = new Map<string, { type: string; labels: string[] }>();
  for (const line of text.split('\n')) {
    const match = /^\|\s*`(ragtime_[a-z_]+)`\s*\|\s*(counter|gauge|histogram)\s*\|([^|]*)\|/.exec(line);
    if (!match) continue;
    const labels = [...(match[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((label) => label[1] ?? '');
    contract.set(match[1] ?? '', { type: match[2] ?? '', labels });
  }
  return contract;
}
