// Benchmark services as child processes, and the CPU time they spend, read from /proc/<pid>/stat (user +
// system time of the process and every live descendant, e.g. the node process a tsx launcher starts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const clockTicksPerSecond = 100;
export const benchLogDirectory = path.resolve('.data', 'bench-logs');

export interface Service {
  name: string;
  child: ChildProcess;
}

/** Starts a process in its own process group, output in .data/bench-logs/<name>.log. */
export function startService(name: string, command: string, args: string[], env: Record<string, string> = {}): Service {
  mkdirSync(benchLogDirectory, { recursive: true });
  const log = createWriteStream(path.join(benchLogDirectory, `${name}.log`));
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Both streams write to one log: whichever ends first must not end it under the other.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  return { name, child };
}

export async function stopService(service: Service | undefined): Promise<void> {
  const child = service?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, service?: Service): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service && service.child.exitCode !== null) throw new Error(`${what} exited with ${service.child.exitCode}; see ${benchLogDirectory}/${service.name}.log`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

/** Fields after the command name (which may contain spaces) of /proc/<pid>/stat, or undefined if gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU milliseconds (user + system) a process has used so far; 0 if it is gone. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // After the name: state(3) ppid(4) … utime(14) stime(15), i.e. indexes 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/** The pid and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statFields(pid)?.[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(pid);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** A CPU meter over a set of processes that may change (database backends come and go): per-pid deltas. */
export class CpuMeter {
  private start = new Map<number, number>();

  constructor(readonly label: string, private readonly pids: () => Promise<number[]> | number[]) {}

  async begin(): Promise<void> {
    this.start = new Map((await this.pids()).map((pid) => [pid, processCpuMs(pid)]));
  }

  /** CPU ms since begin(); a process born in between counts whole (it did all its work in the window). */
  async elapsed(): Promise<number> {
    let total = 0;
    const now = new Set([...(await this.pids()), ...this.start.keys()]);
    for (const pid of now) {
      const cpu = processCpuMs(pid);
      if (cpu > 0) total += cpu - (this.start.get(pid) ?? 0);
    }
    return total;
  }
}
