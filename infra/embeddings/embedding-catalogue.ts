// The local embedding models of embedding-models.json (served by embedding-server.py): each one's vector size and
// the dense share of the retriever's score fusion chosen for it by bench/retrieval-quality.ts.
import { readFileSync } from 'node:fs';

export interface LocalEmbeddingModel {
  readonly model: string;
  readonly dimensions: number;
  /** The dense share of the retriever's score fusion chosen for this model (RETRIEVAL_DENSE_WEIGHT when unset). */
  readonly denseWeight: number;
}

const catalogue = JSON.parse(readFileSync(new URL('./embedding-models.json', import.meta.url), 'utf8')) as { default: string; models: Record<string, { dimensions: number; dense_weight: number }> };

/** The models embedding-server.py serves, by name. */
export const localEmbeddingModels: ReadonlyMap<string, LocalEmbeddingModel> = new Map(Object.entries(catalogue.models).map(([model, entry]) => [model, { model, dimensions: entry.dimensions, denseWeight: entry.dense_weight }]));

/** embedding-models.json's default: what `./ragtime up` serves. */
export const catalogueDefaultModel = catalogue.default;
