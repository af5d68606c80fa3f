// How the builders of the held-out sets cap a large source: keep at most `limit` of its attack lines, evenly spread
// over them, so that every part of the source keeps its share.

export function evenlySpread<T>(members: T[], limit: number): T[] {
  const step = Math.max(1, members.length / limit);
  return members.filter((_, position) => position % step < 1).slice(0, limit);
}

/** The lines kept, in their order, after capping the attack lines (label 'injection') of each group at `limit`. */
export function capAttacksPerGroup<T extends { label: string }>(lines: T[], groupOf: (line: T) => string, limit: number): { kept: T[]; capped: number } {
  const groups = new Map<string, T[]>();
  for (const line of lines) {
    const key = `${line.label}: ${groupOf(line)}`;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  const keptSet = new Set<T>();
  let capped = 0;
  for (const [key, members] of groups) {
    const chosen = evenlySpread(members, key.startsWith('injection: ') ? limit : Infinity);
    capped += members.length - chosen.length;
    for (const line of chosen) keptSet.add(line);
  }
  return { kept: lines.filter((line) => keptSet.has(line)), capped };
}
