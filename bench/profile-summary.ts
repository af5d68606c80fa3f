// Where a process's CPU went, from a V8 CPU profile (`--cpu-prof`, e.g. `bench/gateway-overhead.ts --profile DIR`):
// self time grouped by what the code is (our directories, each dependency, the Temporal core bridge, GC), then
// the heaviest functions. Exists so a profile is read the same way each time, without a browser.
//   npx tsx bench/profile-summary.ts DIR/*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { printTable } from './lib/table.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex === -1 ? 25 : Number(args[topIndex + 1]);
const files = args.filter((arg, index) => arg.endsWith('.cpuprofile') && index !== topIndex + 1);
if (files.length === 0) {
  console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile… [--top 25]');
  process.exit(2);
}

/** What a frame's code is: a dependency by package name, our code by top directory, or V8's own bucket. */
function groupOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = /\/(api|clients|activities|workflows|domain|infra|workers|ingestion)\/([^/]+)/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

const byGroup = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id)!;
    const micros = profile.timeDeltas[index] ?? 0;
    if (node.callFrame.functionName === '(idle)') return;
    total += micros;
    const group = groupOf(node.callFrame);
    byGroup.set(group, (byGroup.get(group) ?? 0) + micros);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${group}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
}

const rows = (entries: Map<string, number>) => [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)
  .map(([name, micros]) => [name, micros / 1000, `${((micros / total) * 100).toFixed(1)}%`]);
console.log(`${files.length} profile(s), ${(total / 1000).toFixed(0)} ms busy (idle excluded)\n`);
printTable([['self time by code', 'ms', 'share'], ...rows(byGroup)]);
console.log('');
printTable([['heaviest functions (self)', 'ms', 'share'], ...rows(byFunction)]);
