// Paired bootstrap over queries: how sure a difference in mean per-query scores between two systems is.
import { mean } from './metrics.js';

export interface Interval {
  difference: number;
  low: number;
  high: number;
}

/** Mean of a − b with a 95% percentile interval from `rounds` resamples of the queries (seeded, so runs repeat). */
export function pairedBootstrap(a: readonly number[], b: readonly number[], rounds = 10_000, seed = 18): Interval {
  if (a.length !== b.length || a.length === 0) throw new Error('paired bootstrap needs two equally long, non-empty score lists');
  const differences = a.map((value, index) => value - b[index]!);
  const random = mulberry32(seed);
  const means = new Float64Array(rounds);
  for (let round = 0; round < rounds; round += 1) {
    let sum = 0;
    for (let draw = 0; draw < differences.length; draw += 1) sum += differences[Math.floor(random() * differences.length)]!;
    means[round] = sum / differences.length;
  }
  means.sort();
  return { difference: mean(differences), low: means[Math.floor(rounds * 0.025)]!, high: means[Math.ceil(rounds * 0.975) - 1]! };
}

export function formatInterval({ difference, low, high }: Interval): string {
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
  return `${signed(difference)} [${signed(low)}, ${signed(high)}]`;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
