// The image recipe: multi-stage, Node 24, production dependencies only, non-root, and an entrypoint
// that starts the api or a worker by role. No Docker engine runs here, so the Dockerfile is read as
// instructions and the entrypoint script is executed directly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir, readJson, repoRoot, run } from './deploy-tools.js';

interface Instruction { keyword: string; args: string; stage: number }

const dockerfile = path.join(deployDir, 'docker/Dockerfile');
const entrypoint = path.join(deployDir, 'docker/entrypoint.sh');

function parseDockerfile(text: string): { instructions: Instruction[]; stages: { name?: string; from: string }[]; args: Map<string, string> } {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const instructions: Instruction[] = [];
  const stages: { name?: string; from: string }[] = [];
  const args = new Map<string, string>();
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    expect(upper, `unknown instruction in: ${line}`).toMatch(/^(FROM|RUN|COPY|ADD|ARG|ENV|WORKDIR|USER|EXPOSE|ENTRYPOINT|CMD|STOPSIGNAL|LABEL|HEALTHCHECK|SHELL|VOLUME|ONBUILD)$/);
    const argsText = rest.join(' ');
    if (upper === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argsText);
      stages.push({ from: match?.[1] ?? '', name: match?.[2] });
    }
    if (upper === 'ARG' && stages.length === 0) {
      const [name, value] = argsText.split('=');
      args.set(name ?? '', value ?? '');
    }
    instructions.push({ keyword: upper, args: argsText, stage: stages.length - 1 });
  }
  return { instructions, stages, args };
}

const { instructions, stages, args } = parseDockerfile(readFileSync(dockerfile, 'utf8'));
const finalStage = stages.length - 1;
const inFinal = instructions.filter((instruction) => instruction.stage === finalStage);

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 Debian images', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'deps', 'runtime']);
    expect(args.get('NODE_VERSION')).toMatch(/^24(\.|$)/);
    for (const stage of stages) expect(stage.from).toBe('node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim');
    expect(args.get('DEBIAN_RELEASE')).toBe('bookworm');
  });

  it('installs production dependencies with npm ci --omit=dev into the runtime image', () => {
    const deps = instructions.filter((instruction) => instruction.stage === 1 && instruction.keyword === 'RUN');
    expect(deps.some((instruction) => /npm ci\b[^&;]*--omit=dev/.test(instruction.args))).toBe(true);
    const copies = inFinal.filter((instruction) => instruction.keyword === 'COPY' && instruction.args.includes('--from='));
    expect(copies.find((copy) => copy.args.includes('--from=deps'))?.args).toMatch(/\/app\/node_modules/);
    expect(copies.find((copy) => copy.args.includes('--from=build'))?.args).toMatch(/\/app\/dist/);
    for (const copy of copies) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      expect(stages.slice(0, finalStage).map((stage) => stage.name), copy.args).toContain(from);
    }
    // No full install, compiler or source tree in the runtime stage.
    expect(inFinal.filter((instruction) => /npm (ci|install)/.test(instruction.args))).toEqual([]);
    expect(inFinal.filter((instruction) => instruction.keyword === 'COPY' && /^\.\s/.test(instruction.args.replace(/--\S+\s+/g, '')))).toEqual([]);
  });

  it('runs as a dedicated non-root user with an init process and SIGTERM', () => {
    const users = inFinal.filter((instruction) => instruction.keyword === 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]?.args).not.toMatch(/^(root|0)(:|$)/);
    const userIndex = inFinal.indexOf(users[0] as Instruction);
    const afterUser = inFinal.slice(userIndex + 1).map((instruction) => instruction.keyword);
    expect(afterUser).not.toContain('RUN');
    expect(afterUser).not.toContain('COPY');
    expect(inFinal.find((instruction) => instruction.keyword === 'STOPSIGNAL')?.args).toBe('SIGTERM');
    expect(JSON.parse(inFinal.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args ?? '[]')).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/ragtime']);
    expect(JSON.parse(inFinal.find((instruction) => instruction.keyword === 'CMD')?.args ?? '[]')).toEqual(['api']);
    expect(inFinal.find((instruction) => instruction.keyword === 'EXPOSE')?.args.split(/\s+/)).toEqual(['8787', '9464']);
  });

  it('builds the web client and ships it where the compiled API looks for it', () => {
    const build = instructions.filter((instruction) => instruction.stage === 0 && instruction.keyword === 'RUN').map((instruction) => instruction.args).join('\n');
    expect(build).toMatch(/vite build --config web\/vite\.config\.ts/);
    // dist/api/server.js serves web/dist from beside dist/ (api/server.ts, webClientDirectory).
    expect(readFileSync(path.join(repoRoot, 'api/server.ts'), 'utf8')).toContain("path.join(projectRoot, '..', 'web', 'dist')");
    const copy = inFinal.find((instruction) => instruction.keyword === 'COPY' && instruction.args.includes('--from=build') && instruction.args.includes('web/dist'));
    expect(copy?.args).toMatch(/\/app\/web\/dist \.\/web\/dist$/);
  });

  it('builds with scripts/build.sh, which transpiles the entry points the entrypoint starts', () => {
    const build = instructions.filter((instruction) => instruction.stage === 0 && instruction.keyword === 'RUN').map((instruction) => instruction.args);
    // The same build as ./ragtime up: the image cannot miss a runtime file the local build copies.
    expect(build).toContain('bash scripts/build.sh dist');
    const script = readFileSync(path.join(repoRoot, 'scripts/build.sh'), 'utf8');
    expect(script).toMatch(/esbuild [^;\n]*--format=esm/);
    expect(entrypointTargets().size).toBe(3);
    for (const target of entrypointTargets().values()) {
      expect(script, 'the build fails when an entry point is missing').toContain(`test -f "$out/${target.replace(/^dist\//, '')}"`);
    }
  });
});

function entrypointTargets(): Map<string, string> {
  const text = readFileSync(entrypoint, 'utf8');
  return new Map([...text.matchAll(/^\s*([a-z-]+)\) exec node (dist\/\S+\.js) "\$@" ;;$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe('entrypoint.sh', () => {
  it('maps each role to the TypeScript entry the npm scripts run', () => {
    const targets = entrypointTargets();
    expect([...targets.keys()]).toEqual(['api', 'chat-worker', 'ingestion-worker']);
    const toSource = (target: string): string => target.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    const scripts = readJson<{ scripts: Record<string, string> }>(path.join(repoRoot, 'package.json')).scripts;
    expect(scripts.api).toContain(toSource(targets.get('api') ?? ''));
    expect(scripts.worker).toContain(toSource(targets.get('chat-worker') ?? ''));
    expect(toSource(targets.get('ingestion-worker') ?? '')).toBe('workers/ingestion-worker.ts');
  });

  it('is valid sh, execs node for a role, and refuses an unknown role', async () => {
    expect((await run('sh', ['-n', entrypoint])).code).toBe(0);
    const passthrough = await run('sh', [entrypoint, 'node', '-e', 'process.stdout.write(String(process.argv.length))']);
    expect(passthrough).toMatchObject({ code: 0, stdout: '1' });
    const unknown = await run('sh', [entrypoint, 'scheduler']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("unknown role 'scheduler'");
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(deployDir, '../../.dockerignore'), 'utf8')
    .split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));

  it('keeps secrets, dependencies and history out of the build context', () => {
    for (const pattern of ['.git', '**/node_modules', '.env', '.env.*', '.data', '.venv']) expect(ignored).toContain(pattern);
  });

  it('keeps what the image build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'api', 'workers', 'workflows', 'infra', 'infra/deploy/docker']) {
      expect(ignored.filter((pattern) => pattern === needed || needed.startsWith(`${pattern}/`)), needed).toEqual([]);
    }
    // scripts/ stays out, except the build script the image runs (a later '!' pattern re-includes it).
    expect(ignored.indexOf('!scripts/build.sh')).toBeGreaterThan(ignored.indexOf('scripts'));
  });
});
