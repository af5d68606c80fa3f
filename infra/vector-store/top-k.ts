/** The k highest scores among n candidates in O(n log k), best first, with a min-heap of size k. */
export function topK(count: number, k: number, scoreOf: (index: number) => number | undefined): { index: number; score: number }[] {
  const heapScores: number[] = [];
  const heapIndices: number[] = [];
  const swap = (a: number, b: number) => {
    [heapScores[a], heapScores[b]] = [heapScores[b]!, heapScores[a]!];
    [heapIndices[a], heapIndices[b]] = [heapIndices[b]!, heapIndices[a]!];
  };
  const siftDown = (start: number) => {
    let parent = start;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < heapScores.length && heapScores[left]! < heapScores[smallest]!) smallest = left;
      if (right < heapScores.length && heapScores[right]! < heapScores[smallest]!) smallest = right;
      if (smallest === parent) return;
      swap(parent, smallest);
      parent = smallest;
    }
  };
  if (k <= 0) return [];
  for (let index = 0; index < count; index += 1) {
    const score = scoreOf(index);
    if (score === undefined) continue;
    if (heapScores.length < k) {
      heapScores.push(score);
      heapIndices.push(index);
      for (let child = heapScores.length - 1; child > 0;) {
        const parent = (child - 1) >> 1;
        if (heapScores[parent]! <= heapScores[child]!) break;
        swap(parent, child);
        child = parent;
      }
    } else if (score > heapScores[0]!) {
      heapScores[0] = score;
      heapIndices[0] = index;
      siftDown(0);
    }
  }
  return heapIndices.map((index, position) => ({ index, score: heapScores[position]! })).sort((a, b) => b.score - a.score || a.index - b.index);
}
