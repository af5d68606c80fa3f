// Admin CLI for the gateway: orgs, users, API keys, tiers and budgets. Every change is written to the
// audit log with the acting operator (--actor, default: the OS user).
//
//   tsx scripts/admin.ts org create <org> [--name N] [--tier free|pro|enterprise]
//   tsx scripts/admin.ts org list
//   tsx scripts/admin.ts org set-tier <org> <tier>
//   tsx scripts/admin.ts org set-budget <org> <usd>|unlimited|default
//   tsx scripts/admin.ts user create <org> <user> [--email E]
//   tsx scripts/admin.ts user list <org>
//   tsx scripts/admin.ts key create <org> <user> [--name N]      prints the key once
//   tsx scripts/admin.ts key list <org>
//   tsx scripts/admin.ts key revoke <org> <key-id>
//   tsx scripts/admin.ts audit [--org O] [--limit N]
//   tsx scripts/admin.ts dev-key --out <file>                      development: org "dev", user "dev", a key in <file>
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../infra/config.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { identifierPattern, tiers, type Tier } from '../domain/gateway/principal.js';
import { parseApiKey, secretMatches } from '../infra/gateway/api-keys.js';
import { IdentityError, IdentityStore, type BudgetSetting } from '../infra/gateway/identity-store.js';

export class UsageError extends Error {}

export async function runAdmin(argv: string[], store: IdentityStore, print: (line: string) => void): Promise<void> {
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
  const positional = (index: number, name: string): string => {
    const value = rest[index];
    if (!value) throw new UsageError(`missing <${name}>`);
    return value;
  };
  const identifier = (index: number, name: string): string => {
    const value = positional(index, name);
    if (!identifierPattern.test(value)) throw new UsageError(`<${name}> must be 1-64 letters, digits, _ or -`);
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
      return print('key revoked');
    case 'audit': {
      const limit = Number(option('limit') ?? 50);
      for (const entry of await store.auditLog({ orgId: option('org'), limit })) {
        print(`${entry.at.toISOString()}\t${entry.actor}\t${entry.action}\t${entry.orgId ?? ''}\t${entry.target}\t${JSON.stringify(entry.details)}`);
      }
      return;
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
  try {
    await migrate(pool);
    await runAdmin(process.argv.slice(2), new IdentityStore(pool), (line) => console.log(line));
  } finally {
    await pool.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof UsageError || error instanceof IdentityError ? `admin: ${error.message}` : error);
    process.exit(1);
  });
}
