import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { describe } from 'vitest';
import { QdrantVectorIndex } from '../../infra/vector-store/qdrant-vector-index.js';
import { contractDimensions, describeVectorIndexContract } from './contract.js';

// Runs against a real Qdrant when QDRANT_URL names one (read here, as the test's run condition only).
const url = process.env.QDRANT_URL;

describe.runIf(Boolean(url))('Qdrant', () => {
  describeVectorIndexContract('qdrant', async () => {
    const collection = `contract_${randomUUID().replaceAll('-', '')}`;
    const index = new QdrantVectorIndex({ url: url!, collection, dimensions: contractDimensions });
    return { index, dispose: async () => { await new QdrantClient({ url: url!, checkCompatibility: false }).deleteCollection(collection); } };
  });
});
