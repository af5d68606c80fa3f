// The Argo CD manifests (infra/deploy/argocd): every document validates against the schema of Argo CD's own
// CRDs (test/deploy/fixtures/argocd-crd-schemas.json, derived from the argo-cd repository), with unknown
// fields refused as the API server's strict field validation refuses them, so a misspelt `selfHeal` fails
// here instead of being dropped silently. Then the GitOps promises: development and staging sync by
// themselves (prune, selfHeal), production only by hand, each from this chart with its own values file.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { deployDir, readJson, readYamlDocuments, repoRoot } from './deploy-tools.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Argo CD documents are free-form until validated */
type Manifest = Record<string, any>;
type Schema = Record<string, unknown>;

const argocdDir = path.join(deployDir, 'argocd');
const environments = ['development', 'staging', 'production'] as const;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const crds = readJson<{ source: { commit: string }; schemas: Record<string, { apiVersion: string; schema: Schema }> }>(path.join(repoRoot, 'test/deploy/fixtures/argocd-crd-schemas.json'));

/**
 * Structural schemas say which fields exist; the API server prunes (or, with strict field validation,
 * refuses) any other. An object schema with properties therefore admits no others, unless it preserves
 * unknown fields.
 */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'properties'
    ? Object.fromEntries(Object.entries(value as Schema).map(([name, schema]) => [name, strict(schema)]))
    : strict(value)])) as Schema;
  if (copy.properties && copy.additionalProperties === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true) copy.additionalProperties = false;
  return copy;
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addVocabulary(['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string']);
const validators = new Map(Object.entries(crds.schemas).map(([kind, { apiVersion, schema }]) => [kind, { apiVersion, validate: ajv.compile(strict(schema) as Schema) }]));

/** Schema errors of one document, as "path message" lines; [] when it is a valid Argo CD object. */
function validateManifest(manifest: Manifest): string[] {
  const validator = validators.get(manifest.kind);
  if (!validator) return [`kind ${String(manifest.kind)} is not an Argo CD kind this schema knows`];
  if (manifest.apiVersion !== validator.apiVersion) return [`apiVersion ${String(manifest.apiVersion)} is not ${validator.apiVersion}`];
  const problems = validator.validate(manifest) ? [] : (validator.validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  // The CRD leaves metadata to the API server: a DNS-1123 name in the argocd namespace.
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(manifest.metadata?.name ?? '')) problems.push(`/metadata/name ${String(manifest.metadata?.name)} is not a DNS-1123 label`);
  if (manifest.metadata?.namespace !== 'argocd') problems.push('/metadata/namespace must be argocd');
  return problems;
}

const files = readdirSync(argocdDir).filter((file) => /\.ya?ml$/.test(file)).sort();
const manifests: Manifest[] = files.flatMap((file) => readYamlDocuments(path.join(argocdDir, file)) as Manifest[]);
const applications = manifests.filter((manifest) => manifest.kind === 'Application');
const project = manifests.find((manifest) => manifest.kind === 'AppProject');
const application = (environment: string): Manifest => {
  const found = applications.find((manifest) => manifest.metadata.labels?.['ragtime.dev/environment'] === environment);
  if (!found) throw new Error(`no Application for ${environment}`);
  return found;
};
const copy = (manifest: Manifest): Manifest => structuredClone(manifest);

describe('Argo CD manifests', () => {
  it('schema data names the Argo CD commit it came from, with both kinds', () => {
    expect(crds.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect([...validators.keys()].sort()).toEqual(['AppProject', 'Application']);
  });

  it.each(files)('%s validates against the Argo CD CRD schema', (file) => {
    const documents = readYamlDocuments(path.join(argocdDir, file)) as Manifest[];
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(validateManifest(document), `${file} ${document.kind}`).toEqual([]);
  });

  it('has one Application per environment and the project they belong to', () => {
    expect(applications.map((manifest) => manifest.metadata.name).sort()).toEqual(environments.map((environment) => `ragtime-${environment}`).sort());
    expect(project?.metadata.name).toBe('ragtime');
    for (const manifest of applications) expect(manifest.spec.project).toBe(project?.metadata.name);
  });

  it.each(['development', 'staging'])('%s syncs automatically with prune and selfHeal', (environment) => {
    const { syncPolicy } = application(environment).spec;
    expect(syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(syncPolicy.syncOptions).toContain('CreateNamespace=true');
  });

  it('production syncs only by hand, and deleting its Application leaves production running', () => {
    const production = application('production');
    expect(production.spec.syncPolicy).toBeDefined();
    expect(production.spec.syncPolicy.automated).toBeUndefined();
    expect(production.metadata.finalizers ?? []).not.toContain('resources-finalizer.argocd.argoproj.io');
  });

  it.each(environments)('%s deploys this chart with its values file, where the project allows', (environment) => {
    const { source, destination } = application(environment).spec;
    expect(existsSync(path.join(repoRoot, source.path, 'Chart.yaml'))).toBe(true);
    expect(source.helm.valueFiles).toEqual([`values-${environment}.yaml`]);
    for (const file of source.helm.valueFiles) expect(existsSync(path.join(repoRoot, source.path, file)), file).toBe(true);
    expect(project?.spec.sourceRepos).toContain(source.repoURL);
    expect(destination.namespace).toBe(`ragtime-${environment}`);
    expect(project?.spec.destinations).toContainEqual({ server: destination.server, namespace: destination.namespace });
  });

  it('each environment follows its own branch: main → staging → production', () => {
    expect(environments.map((environment) => application(environment).spec.source.targetRevision)).toEqual(['main', 'staging', 'production']);
  });
});

describe('the Argo CD schema check fails broken manifests', () => {
  it('refuses a misspelt field that Kubernetes would drop (selfheal)', () => {
    const broken = copy(application('staging'));
    broken.spec.syncPolicy.automated = { prune: true, selfheal: true };
    expect(validateManifest(broken).join('\n')).toMatch(/\/spec\/syncPolicy\/automated must NOT have additional properties.*selfheal/);
  });

  it('refuses a wrong type, a missing required field and an unknown kind', () => {
    const wrongType = copy(application('development'));
    wrongType.spec.syncPolicy.automated.prune = 'yes';
    expect(validateManifest(wrongType).join('\n')).toContain('/spec/syncPolicy/automated/prune must be boolean');

    const noDestination = copy(application('production'));
    delete noDestination.spec.destination;
    expect(validateManifest(noDestination).join('\n')).toContain("must have required property 'destination'");

    expect(validateManifest({ ...copy(application('production')), kind: 'Applicaton' })).toEqual(['kind Applicaton is not an Argo CD kind this schema knows']);
    expect(validateManifest({ ...copy(application('production')), apiVersion: 'argoproj.io/v1' })[0]).toContain('is not argoproj.io/v1alpha1');
  });

  it('refuses a bad name and a source without a repository', () => {
    const badName = copy(application('staging'));
    badName.metadata.name = 'Ragtime_Staging';
    expect(validateManifest(badName).join('\n')).toContain('is not a DNS-1123 label');
    const noRepo = copy(application('staging'));
    delete noRepo.spec.source.repoURL;
    expect(validateManifest(noRepo).join('\n')).toContain("/spec/source must have required property 'repoURL'");
  });
});
