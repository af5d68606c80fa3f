// Admin CLI for the gateway: orgs, users, API keys, tiers and budgets. Every change is written to the
// audit log with the acting operator (--actor, default: the OS user).
//
//   tsx scripts/admin.ts org create <org> [--name N] [--tier free|pro|enterprise]
//   tsx scripts/admin.ts org list
//   tsx scripts/admin.ts org set-tier <org> <tier>
//   tsx scripts/admin.ts org set-budget <org> <usd>|unlimited|default
//   tsx scripts/admin.ts org suspend <org>                         every credential of the org stops working
//   tsx scripts/admin.ts org unsuspend <org>
//   tsx scripts/admin.ts user create <org> <user> [--email E]
//   tsx scripts/admin.ts user list <org>
//   tsx scripts/admin.ts user delete <org> <user>                  revokes the user's keys too
//   tsx scripts/admin.ts key create <org> <user> [--name N]      prints the key once
//   tsx scripts/admin.ts key list <org>
//   tsx scripts/admin.ts key revoke <org> <key-id>
//   tsx scripts/admin.ts audit [--org O] [--limit N]
//   tsx scripts/admin.ts safety show <org>                         the org's overrides of the default safety policy
//   tsx scripts/admin.ts safety set <org> '<json>'                 e.g. '{"output":{"toxicity":{"action":"allow"}}}'; '{}' resets
//   tsx scripts/admin.ts tools show <org>
//   tsx scripts/admin.ts tools set <org> <tool,...>|none|default   which tools the org's chats may call
//   tsx scripts/admin.ts dev-key --out <file>                      development: org "dev", user "dev", a key in <file>
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../infra/config.js';
import { RagtimeError } from '../domain/errors.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { tiers, type Tier } from '../domain/gateway/principal.js';
import { isIdentifier } from '../domain/limits.js';
import { parseApiKey, secretMatches } from '../infra/gateway/api-keys.js';
import { IdentityError, IdentityStore, type BudgetSetting } from '../infra/gateway/identity-store.js';
import { credentialChannel, publishCredentialChange, type CredentialChange } from '../infra/gateway/credential-changes.js';
import { Redis } from 'ioredis';
import { ZodError } from 'zod';
import { resolveSafetyPolicy } from '../domain/safety/safety-policy.js';
import { toolNames } from '../domain/tools/tool.js';
import { SafetyPolicyStore } from '../infra/postgres/safety-policy-store.js';
import { TenantToolSettings } from '../infra/tools/tenant-tool-settings.js';

/** A command line the CLI cannot run: it prints the message (no stack) and exits non-zero. */
export class UsageError extends RagtimeError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** The per-org settings kept beside the identities: safety policy overrides and enabled tools. */
export interface OrgSettingStores {
  safety: SafetyPolicyStore;
  tools: TenantToolSettings;
}

/**
 * `announce` tells running API instances that credentials changed (Redis pub/sub), so open WebSockets are
 * re-checked at once; when it fails they are still re-checked within AUTH_RECHECK_INTERVAL_MS.
 */
export async function runAdmin(argv: string[], store: IdentityStore, print: (line: string) => void, settings?: OrgSettingStores, announce?: (change: CredentialChange) => Promise<void>): Promise<void> {
  // Options (--name value) anywhere; what remains is the command and its positional arguments.
  const options = new Map<string, string>();
  const args: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index]!;
    if (!word.startsWith('--')) {
      args.push(word);
      continue;
    }
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${word} needs a value`);
    options.set(word.slice(2), value);
    index += 1;
  }
  const option = (name: string): string | undefined => options.get(name);
  const actor = option('actor') ?? userInfo().username;
  const [group, command, ...rest] = args;
  const announced = async (change: CredentialChange) => {
    try {
      await announce?.(change);
    } catch (error) {
      print(`warning: open connections were not told (${(error as Error).message}); they are re-checked within AUTH_RECHECK_INTERVAL_MS`);
    }
  };
  const positional = (index: number, name: string): string => {
    const value = rest[index];
    if (!value) throw new UsageError(`missing <${name}>`);
    return value;
  };
  const identifier = (index: number, name: string): string => {
    const value = positional(index, name);
    if (!isIdentifier(value)) throw new UsageError(`<${name}> must be 1-64 letters, digits, _ or -`);
    return value;
  };

  switch (`${group} ${command ?? ''}`.trim()) {
    case 'org create': {
      const org = await store.createOrg(actor, { id: identifier(0, 'org'), name: option('name') ?? rest[0]!, tier: tierOf(option('tier') ?? 'free') });
      return print(`created org ${org.id} (${org.tier})`);
    }
    case 'org list':
      for (const org of await store.listOrgs()) print(`${org.id}\t${org.tier}\t${describeBudget(org.budget)}\t${org.name}`);
      return;
    case 'org set-tier':
      await store.setTier(actor, positional(0, 'org'), tierOf(positional(1, 'tier')));
      return print('tier updated');
    case 'org set-budget':
      await store.setBudget(actor, positional(0, 'org'), budgetOf(positional(1, 'usd|unlimited|default')));
      return print('budget updated');
    case 'user create':
      await store.createUser(actor, { orgId: positional(0, 'org'), id: identifier(1, 'user'), email: option('email') });
      return print('user created');
    case 'user list':
      for (const user of await store.listUsers(positional(0, 'org'))) print(`${user.id}\t${user.email ?? ''}`);
      return;
    case 'key create': {
      const created = await store.createKey(actor, { orgId: positional(0, 'org'), userId: positional(1, 'user'), name: option('name') });
      print(`key id ${created.id}; the key is shown once, store it now:`);
      return print(created.key);
    }
    case 'key list':
      for (const key of await store.listKeys(positional(0, 'org'))) {
        print(`${key.id}\t${key.userId}\t${key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active'}\t${key.name}`);
      }
      return;
    case 'key revoke':
      await store.revokeKey(actor, positional(0, 'org'), positional(1, 'key-id'));
      await announced({ orgId: positional(0, 'org'), keyId: positional(1, 'key-id') });
      return print('key revoked');
    case 'org suspend':
      await store.setOrgSuspended(actor, positional(0, 'org'), true);
      await announced({ orgId: positional(0, 'org') });
      return print('org suspended');
    case 'org unsuspend':
      await store.setOrgSuspended(actor, positional(0, 'org'), false);
      return print('org reinstated');
    case 'user delete':
      await store.deleteUser(actor, positional(0, 'org'), positional(1, 'user'));
      await announced({ orgId: positional(0, 'org'), userId: positional(1, 'user') });
      return print('user deleted');
    case 'audit': {
      const limit = Number(option('limit') ?? 50);
      for (const entry of await store.auditLog({ orgId: option('org'), limit })) {
        print(`${entry.at.toISOString()}\t${entry.actor}\t${entry.action}\t${entry.orgId ?? ''}\t${entry.target}\t${JSON.stringify(entry.details)}`);
      }
      return;
    }
    case 'safety show':
      return print(JSON.stringify(await settingsOf(settings).safety.overridesOf(await existingOrg(store, positional(0, 'org')))));
    case 'safety set': {
      const orgId = await existingOrg(store, positional(0, 'org'));
      const overrides = safetyOverridesOf(positional(1, 'json'));
      await store.audited(actor, 'safety.set', orgId, orgId, { overrides }, (client) => settingsOf(settings).safety.setOverrides(orgId, overrides, client));
      return print('safety policy updated (workers pick it up within 30 s)');
    }
    case 'tools show': {
      const tools = await settingsOf(settings).tools.enabledTools(await existingOrg(store, positional(0, 'org')));
      return print(tools === undefined ? 'default (TOOLS_DEFAULT_ENABLED)' : tools.join(',') || 'none');
    }
    case 'tools set': {
      const orgId = await existingOrg(store, positional(0, 'org'));
      const tools = toolListOf(positional(1, 'tool,...|none|default'));
      await store.audited(actor, 'tools.set', orgId, orgId, { tools: tools ?? 'default' }, (client) => settingsOf(settings).tools.setEnabledTools(orgId, tools, client));
      return print('tools updated (workers pick them up within 30 s)');
    }
    case 'dev-key':
      return devKey(store, actor, option('out') ?? (() => { throw new UsageError('dev-key needs --out <file>'); })(), print);
    default:
      throw new UsageError(`unknown command "${args.join(' ')}"; see the header of scripts/admin.ts`);
  }
}

/** The development identity `./ragtime up` uses: reuses the key in `file` while it still works. */
async function devKey(store: IdentityStore, actor: string, file: string, print: (line: string) => void): Promise<void> {
  const existing = await readFile(file, 'utf8').then((text) => text.trim(), () => undefined);
  const parsed = existing ? parseApiKey(existing) : undefined;
  if (parsed) {
    const credentials = await store.keyCredentials(parsed.id);
    if (credentials && !credentials.revoked && secretMatches(parsed.secret, credentials.secretSha256)) return print(`dev key ${parsed.id} in ${file}`);
  }
  if (!(await store.org('dev'))) await store.createOrg(actor, { id: 'dev', name: 'Development', tier: 'pro' });
  if (!(await store.listUsers('dev')).some((user) => user.id === 'dev')) await store.createUser(actor, { orgId: 'dev', id: 'dev' });
  const created = await store.createKey(actor, { orgId: 'dev', userId: 'dev', name: 'ragtime up' });
  await writeFile(file, `${created.key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  print(`dev key ${created.id} written to ${file}`);
}

function settingsOf(settings: OrgSettingStores | undefined): OrgSettingStores {
  if (!settings) throw new UsageError('this command needs the org setting stores');
  return settings;
}

async function existingOrg(store: IdentityStore, orgId: string): Promise<string> {
  if (!(await store.org(orgId))) throw new UsageError(`no org ${orgId}`);
  return orgId;
}

function safetyOverridesOf(json: string): unknown {
  let overrides: unknown;
  try {
    overrides = JSON.parse(json);
  } catch {
    throw new UsageError('the safety policy must be JSON, e.g. \'{"output":{"toxicity":{"action":"allow"}}}\'');
  }
  try {
    resolveSafetyPolicy(overrides);
  } catch (error) {
    const issues = error instanceof ZodError ? error.issues.map((issue) => `${issue.path.join('.') || 'policy'}: ${issue.message}`).join('; ') : String(error);
    throw new UsageError(`invalid safety policy: ${issues}`);
  }
  return overrides;
}

function toolListOf(value: string): string[] | undefined {
  if (value === 'default') return undefined;
  if (value === 'none') return [];
  const tools = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const unknown = tools.filter((tool) => !(toolNames as readonly string[]).includes(tool));
  if (unknown.length > 0) throw new UsageError(`unknown tool(s) ${unknown.join(', ')}; tools are ${toolNames.join(', ')}`);
  return tools;
}

function tierOf(value: string): Tier {
  if (!(tiers as readonly string[]).includes(value)) throw new UsageError(`tier must be one of ${tiers.join(', ')}`);
  return value as Tier;
}

function budgetOf(value: string): BudgetSetting {
  if (value === 'unlimited') return { kind: 'unlimited' };
  if (value === 'default') return { kind: 'tier_default' };
  const usd = Number(value);
  if (!Number.isFinite(usd) || usd < 0) throw new UsageError('budget must be a non-negative USD amount, "unlimited" or "default"');
  return { kind: 'fixed', micros: Math.round(usd * 1_000_000) };
}

function describeBudget(budget: BudgetSetting): string {
  if (budget.kind === 'fixed') return `$${budget.micros / 1_000_000}/month`;
  return budget.kind === 'unlimited' ? 'unlimited' : 'tier default';
}

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL);
  // Connected only when a change is announced; a Redis that does not answer within 2 s is reported, not waited for.
  let redis: Redis | undefined;
  const announce = async (change: CredentialChange) => {
    redis ??= new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX, maxRetriesPerRequest: 0, connectTimeout: 2_000, enableOfflineQueue: true });
    await publishCredentialChange(redis, credentialChannel(config.REDIS_KEY_PREFIX), change);
  };
  try {
    await migrate(pool);
    const settings = { safety: new SafetyPolicyStore(pool), tools: new TenantToolSettings(pool) };
    await runAdmin(process.argv.slice(2), new IdentityStore(pool), (line) => console.log(line), settings, announce);
  } finally {
    await pool.end();
    redis?.disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof UsageError || error instanceof IdentityError ? `admin: ${error.message}` : error);
    process.exit(1);
  });
}
