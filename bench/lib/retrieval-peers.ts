// Runs the PyPI retrieval peers (bench/peers/retrieval_peers.py in .data/retrieval-peers-venv) on a
// collection and returns each peer's document ranking per query.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface PeerRankings {
  systems: Record<string, Record<string, string[]>>;
  seconds: Record<string, number>;
}

const root = resolve(import.meta.dirname, '../..');
export const peersPython = resolve(root, '.data/retrieval-peers-venv/bin/python');

export async function runRetrievalPeers(request: { documents: { id: string; text: string }[]; queries: { id: string; text: string }[]; depth: number; models?: string[] }): Promise<PeerRankings | undefined> {
  if (!existsSync(peersPython)) return undefined;
  const child = spawn(peersPython, [resolve(root, 'bench/peers/retrieval_peers.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<number>((done, fail) => { child.on('exit', (code) => done(code ?? 1)); child.on('error', fail); });
  child.stdin.end(JSON.stringify(request));
  const code = await exited;
  if (code !== 0) throw new Error(`retrieval peers exited with ${code}`);
  return JSON.parse(Buffer.concat(output).toString('utf8')) as PeerRankings;
}
