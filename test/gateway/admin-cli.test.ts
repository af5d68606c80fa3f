// The admin CLI: orgs, users, keys (shown once, stored hashed, revocable per org), tiers and budgets, each
// change in the audit log with its actor.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runAdmin, UsageError } from '../../scripts/admin.js';
import { IdentityStore } from '../../infra/gateway/identity-store.js';
import { services } from '../support/services.js';
import { SafetyPolicyStore } from '../../infra/postgres/safety-policy-store.js';
import { TenantToolSettings } from '../../infra/tools/tenant-tool-settings.js';

describe('admin CLI', () => {
  const pool = new pg.Pool({ connectionString: services().databaseUrl, max: 2 });
  const store = new IdentityStore(pool);
  const settings = { safety: new SafetyPolicyStore(pool), tools: new TenantToolSettings(pool) };
  const org = `admin-${randomUUID().slice(0, 6)}`;
  afterAll(() => pool.end());

  async function admin(...argv: string[]): Promise<string[]> {
    const lines: string[] = [];
    await runAdmin([...argv, '--actor', 'ops@example.com'], store, (line) => lines.push(line), settings);
    return lines;
  }

  it('manages orgs, users, keys, tiers and budgets, and audits every change', async () => {
    expect(await admin('org', 'create', org, '--name', 'Acme', '--tier', 'free')).toEqual([`created org ${org} (free)`]);
    await expect(admin('org', 'create', org)).rejects.toThrow(/already exists/);
    await admin('org', 'set-tier', org, 'pro');
    await admin('org', 'set-budget', org, '12.5');
    expect((await admin('org', 'list')).find((line) => line.startsWith(org))).toBe(`${org}\tpro\t$12.5/month\tAcme`);
    await admin('user', 'create', org, 'alice', '--email', 'alice@example.com');
    const [, key] = await admin('key', 'create', org, 'alice', '--name', 'ci');
    expect(key).toMatch(/^rt_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const keyId = key!.split('_')[1]!;

    const listed = await admin('key', 'list', org);
    expect(listed).toEqual([expect.stringMatching(new RegExp(`^${keyId}\\talice\\tactive\\tci$`))]);
    expect(listed.join('\n')).not.toContain(key!.slice(20));
    const stored = await pool.query('SELECT secret_sha256 FROM api_keys WHERE id = $1', [keyId]);
    expect(stored.rows[0].secret_sha256).toHaveLength(32);

    await expect(admin('key', 'revoke', 'some-other-org', keyId)).rejects.toThrow(/no active key/);
    await admin('key', 'revoke', org, keyId);
    expect(await admin('key', 'list', org)).toEqual([expect.stringContaining('\trevoked ')]);

    const audit = await admin('audit', '--org', org);
    expect(audit.map((line) => line.split('\t').slice(1, 3))).toEqual([
      ['ops@example.com', 'key.revoke'], ['ops@example.com', 'key.create'], ['ops@example.com', 'user.create'],
      ['ops@example.com', 'org.set_budget'], ['ops@example.com', 'org.set_tier'], ['ops@example.com', 'org.create'],
    ]);
    expect(audit.join('\n')).not.toContain(key!);
  });

  it('rejects bad input with a usage error and changes nothing', async () => {
    await expect(admin('org', 'create', 'not valid!')).rejects.toBeInstanceOf(UsageError);
    await expect(admin('org', 'set-tier', org, 'platinum')).rejects.toBeInstanceOf(UsageError);
    await expect(admin('org', 'set-budget', org, '-3')).rejects.toBeInstanceOf(UsageError);
    await expect(admin('frobnicate')).rejects.toBeInstanceOf(UsageError);
  });

  it("sets an org's safety policy and tools, audited, and refuses what would weaken or break them", async () => {
    const other = `admin-${randomUUID().slice(0, 6)}`;
    await admin('org', 'create', other);
    expect(await admin('safety', 'show', other)).toEqual(['{}']);
    await admin('safety', 'set', other, '{"output":{"toxicity":{"action":"allow"}},"input":{"email":{"action":"redact"}}}');
    const policy = await new SafetyPolicyStore(pool).policyFor(other);
    expect(policy.output.toxicity.action).toBe('allow');
    expect(policy.input.email.action).toBe('redact');
    expect(policy.output.email.action).toBe('redact');

    expect(await admin('tools', 'show', other)).toEqual(['default (TOOLS_DEFAULT_ENABLED)']);
    await admin('tools', 'set', other, 'calculator,web_search');
    expect(await new TenantToolSettings(pool).enabledTools(other)).toEqual(['calculator', 'web_search']);
    await admin('tools', 'set', other, 'none');
    expect(await admin('tools', 'show', other)).toEqual(['none']);

    // A typo in a category, an unknown action, bad JSON, an unknown tool or org: usage errors, nothing changes.
    await expect(admin('safety', 'set', other, '{"output":{"toxicty":{"action":"allow"}}}')).rejects.toThrow(/invalid safety policy: output.*toxicty/);
    await expect(admin('safety', 'set', other, '{"output":{"email":{"action":"ignore"}}}')).rejects.toBeInstanceOf(UsageError);
    await expect(admin('safety', 'set', other, '{output')).rejects.toThrow(/must be JSON/);
    await expect(admin('tools', 'set', other, 'calculator,rm_rf')).rejects.toThrow(/unknown tool\(s\) rm_rf/);
    await expect(admin('safety', 'set', 'no-such-org', '{}')).rejects.toThrow(/no org no-such-org/);
    expect((await new SafetyPolicyStore(pool).policyFor(other)).output.toxicity.action).toBe('allow');
    expect(await admin('tools', 'show', other)).toEqual(['none']);

    const audit = await admin('audit', '--org', other);
    expect(audit.map((line) => line.split('\t')[2])).toEqual(['tools.set', 'tools.set', 'safety.set', 'org.create']);
  });

  it('creates the development key once and reuses it while it works', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ragtime-dev-')), 'dev-api-key');
    const [created] = await admin('dev-key', '--out', file);
    const key = (await readFile(file, 'utf8')).trim();
    expect(created).toMatch(/written to/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await admin('dev-key', '--out', file)).toEqual([`dev key ${key.split('_')[1]} in ${file}`]);
    await admin('key', 'revoke', 'dev', key.split('_')[1]!);
    await admin('dev-key', '--out', file);
    expect((await readFile(file, 'utf8')).trim()).not.toBe(key);
  });
});
