// Every data file under infra/deploy parses, nothing secret is committed there, and the tool
// installer is a valid, idempotent-looking script the setup can call.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir, listFiles, readJson, readYamlDocuments, requireTool, run, toolsDir } from './deploy-tools.js';

const files = listFiles(deployDir);
const templates = (file: string): boolean => file.startsWith('helm/ragtime/templates/');

describe('infra/deploy files', () => {
  it('contains the expected assets', () => {
    for (const expected of [
      'METRICS.md', 'check-tools.sh', 'docker/Dockerfile', 'docker/entrypoint.sh', 'compose/compose.yaml',
      'helm/ragtime/Chart.yaml', 'helm/ragtime/values.yaml', 'helm/ragtime/values.schema.json',
      'helm/ragtime/values-development.yaml', 'helm/ragtime/values-staging.yaml', 'helm/ragtime/values-production.yaml',
      'helm/ragtime/files/prometheus/ragtime-slo-rules.yaml', 'helm/ragtime/files/grafana/ragtime-overview.json',
      'argocd/project.yaml', 'argocd/ragtime-development.yaml', 'argocd/ragtime-staging.yaml', 'argocd/ragtime-production.yaml',
    ]) {
      expect(files).toContain(expected);
    }
  });

  it.each(files.filter((file) => /\.ya?ml$/.test(file) && !templates(file)))('parses YAML %s', (file) => {
    const documents = readYamlDocuments(path.join(deployDir, file));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(document, file).toBeTypeOf('object');
  });

  it.each(files.filter((file) => file.endsWith('.json')))('parses JSON %s', (file) => {
    expect(readJson(path.join(deployDir, file))).toBeTypeOf('object');
  });

  it('uses kebab-case file names', () => {
    const allowed = new Set(['Dockerfile', 'Chart.yaml', 'METRICS.md', 'README.md', 'NOTES.txt', '.helmignore', '_helpers.tpl', '_pod.tpl', '_scaling.tpl']);
    const offenders = files.map((file) => path.basename(file)).filter((name) => !allowed.has(name) && !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*$/.test(name));
    expect(offenders).toEqual([]);
  });

  it('commits no secret values', () => {
    const suspicious = /(-----BEGIN [A-Z ]*PRIVATE KEY-----|sk-[A-Za-z0-9]{20,}|ghp_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|hf_[A-Za-z0-9]{20,}|(password|passwd|api_key|apikey|secret|token)\s*[:=]\s*["']?[A-Za-z0-9+/_-]{8,})/i;
    const findings: string[] = [];
    for (const file of files) {
      readFileSync(path.join(deployDir, file), 'utf8').split('\n').forEach((line, index) => {
        if (suspicious.test(line) && !/\$\{|\{\{|secretKeyRef|existingSecret|Secret\b|_FILE|:\?/.test(line)) findings.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(findings).toEqual([]);
  });
});

describe('check-tools.sh', () => {
  const script = path.join(deployDir, 'check-tools.sh');
  const text = readFileSync(script, 'utf8');

  it('is an executable bash script that parses and installs from the registries only', async () => {
    expect(statSync(script).mode & 0o111).not.toBe(0);
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toContain('set -euo pipefail');
    expect(text).toMatch(/apt-get update/);
    expect((await run('bash', ['-n', script])).code).toBe(0);
    // Downloads go through apt and pip only: no curl/wget, no release tarballs.
    expect(text).not.toMatch(/\b(curl|wget)\b|github\.com|https?:\/\//);
  });

  it('installed the tools these checks need', () => {
    // Fails with the install command when the tools are missing: nothing here is skipped.
    expect(requireTool('promtool')).toBe(path.join(toolsDir, 'bin/promtool'));
    expect(requireTool('python')).toBe(path.join(toolsDir, 'venv/bin/python'));
  });

  it('reports the pinned tool versions', async () => {
    const versions = await run(requireTool('python'), ['-c', 'from importlib.metadata import version as v; print(v("helm-python-sdk"), v("kubernetes-validate"))']);
    const pinned = [/HELM_PYTHON_SDK_VERSION="([^"]+)"/.exec(text)?.[1], /KUBERNETES_VALIDATE_VERSION="([^"]+)"/.exec(text)?.[1]].join(' ');
    expect(versions.stdout.trim()).toBe(pinned);
    const promtool = await run(requireTool('promtool'), ['--version']);
    expect(promtool.stdout + promtool.stderr).toMatch(/promtool, version 2\./);
  });
});
