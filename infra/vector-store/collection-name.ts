/** One collection per embedding model: vectors of different models must never be compared. */
export function collectionName(embedder: { model: string; dimensions: number }, prefix = 'ragtime'): string {
  const model = embedder.model.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${prefix}_${model}_${embedder.dimensions}`;
}
