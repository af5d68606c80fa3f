// Derives test/deploy/fixtures/argocd-crd-schemas.json from Argo CD's CRDs (manifests/crds/*-crd.yaml in
// github.com/argoproj/argo-cd), which the Argo CD manifests in infra/deploy/argocd are validated against.
// Keeps each CRD's openAPIV3Schema as published, minus the descriptions (prose, most of the size) and the
// `status` subtree (written by the controller, never part of a manifest). Rerun when Argo CD is upgraded:
//   tsx infra/deploy/tools/derive-argocd-schema.ts <argo-cd checkout> <commit> > test/deploy/fixtures/argocd-crd-schemas.json
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface Crd { spec: { names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[] } }

const [checkout, commit] = process.argv.slice(2);
if (!checkout || !commit) throw new Error('usage: derive-argocd-schema.ts <argo-cd checkout> <commit>');

/** Drops `description` annotations (not properties that happen to be named description). */
function withoutDescriptions(node: unknown, underProperties = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutDescriptions(item));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([key, value]) => underProperties || key !== 'description' || typeof value !== 'string')
    .map(([key, value]) => [key, withoutDescriptions(value, !underProperties && key === 'properties')]));
}

const schemas: Record<string, unknown> = {};
const files = ['application-crd.yaml', 'appproject-crd.yaml'];
for (const file of files) {
  const crd = parse(readFileSync(path.join(checkout, 'manifests/crds', file), 'utf8')) as Crd;
  const version = crd.spec.versions.find((candidate) => candidate.served);
  if (!version) throw new Error(`${file}: no served version`);
  const schema = withoutDescriptions(version.schema.openAPIV3Schema) as { properties: Record<string, unknown> };
  delete schema.properties.status;
  schemas[crd.spec.names.kind] = { apiVersion: `argoproj.io/${version.name}`, schema };
}
process.stdout.write(`${JSON.stringify({
  $comment: `Derived by infra/deploy/tools/derive-argocd-schema.ts from ${files.map((file) => `manifests/crds/${file}`).join(' and ')} of github.com/argoproj/argo-cd at commit ${commit} (Apache-2.0): each CRD's openAPIV3Schema without descriptions and without status.`,
  source: { repository: 'https://github.com/argoproj/argo-cd', commit, files: files.map((file) => `manifests/crds/${file}`) },
  schemas,
}, null, 1)}\n`);
