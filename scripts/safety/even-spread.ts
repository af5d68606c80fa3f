// How the builders of the held-out sets cap a large source: keep at most `limit` of its lines, evenly spread over
// them, so that every part of the source keeps its share.

export function evenlySpread<T>(members: T[], limit: number): T[] {
  const step = Math.max(1, members.length / limit);
  return members.filter((_, position) => position % step < 1).slice(0, limit);
}
