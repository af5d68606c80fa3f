import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedVectorIndex } from '../../infra/vector-store/embedded-vector-index.js';
import { contractDimensions, describeVectorIndexContract, point } from './contract.js';

describeVectorIndexContract('embedded', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'ragtime-vectors-'));
  const index = new EmbeddedVectorIndex({ directory, collection: 'contract', dimensions: contractDimensions });
  return { index, dispose: async () => { await index.close(); await rm(directory, { recursive: true, force: true }); } };
});

describe('EmbeddedVectorIndex persistence', () => {
  let directory: string;
  const open = () => new EmbeddedVectorIndex({ directory, collection: 'persisted', dimensions: contractDimensions, rewriteAfterRecords: 20 });
  beforeEach(async () => { directory = await mkdtemp(join(tmpdir(), 'ragtime-vectors-')); });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('keeps points and deletions across restarts', async () => {
    const first = open();
    const kept = point('acme', 'a', 0, [1, 0, 0, 0], 'kept chunk');
    const deleted = point('acme', 'a', 1, [0, 1, 0, 0], 'deleted chunk');
    await first.upsert([kept, deleted]);
    await first.deletePoints('acme', [deleted.id]);
    await first.close();

    const second = open();
    expect(await second.count()).toBe(1);
    expect((await second.query({ tenant: 'acme', dense: [1, 0, 0, 0], sparse: { indices: [], values: [] }, limit: 5, mode: 'dense' }))[0]?.payload).toEqual(kept.payload);
  });

  it('reads everything again when reopened after close, and applies concurrent reads and writes in order', async () => {
    const index = open();
    const chunk = point('acme', 'a', 0, [1, 0, 0, 0], 'reopened chunk');
    await index.upsert([chunk]);
    await index.close();
    expect(await index.count('acme')).toBe(1);
    await Promise.all([index.count(), index.deletePoints('acme', [chunk.id]), index.count(), index.upsert([point('acme', 'b', 0, [0, 1, 0, 0], 'later')]), index.count()]);
    expect(await index.listDocumentPointIds('acme', 'a')).toEqual([]);
    expect(await index.count('acme')).toBe(1);
  });

  it('lets two processes sharing the directory see each other\'s writes', async () => {
    const writer = open();
    const reader = open();
    expect(await reader.count()).toBe(0);
    await writer.upsert([point('acme', 'a', 0, [1, 0, 0, 0], 'shared chunk')]);
    expect(await reader.count('acme')).toBe(1);
    await reader.deleteDocument('acme', 'a');
    expect(await writer.count()).toBe(0);
  });

  it('rewrites a log of mostly superseded records on open, keeping the live points', async () => {
    const writer = open();
    const chunk = point('acme', 'a', 0, [1, 0, 0, 0], 'rewritten often');
    for (let round = 0; round < 40; round += 1) await writer.upsert([chunk]);
    const log = join(directory, 'persisted', 'points.jsonl');
    const before = (await readFile(log, 'utf8')).split('\n').length;
    const reopened = open();
    expect(await reopened.count()).toBe(1);
    expect((await readFile(log, 'utf8')).split('\n').length).toBeLessThan(before / 10);
    expect(await writer.count()).toBe(1);
  });

  it('refuses vectors of another size', async () => {
    await open().ensureCollection();
    const wrongSize = new EmbeddedVectorIndex({ directory, collection: 'persisted', dimensions: 8 });
    await expect(wrongSize.ensureCollection()).rejects.toMatchObject({ name: 'VectorStoreError', retryable: false });
    await expect(open().upsert([point('acme', 'a', 0, [1, 0], 'short')])).rejects.toMatchObject({ retryable: false });
  });
});
