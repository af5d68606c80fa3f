// The one contract every VectorIndex adapter passes. Runners call describeVectorIndexContract with a
// factory that makes an index over a fresh collection of 4-dimensional vectors.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { passageKeywordVector, queryKeywordVector } from '../../ingestion/keyword-vector.js';
import type { ChunkPayload, IndexedPoint, VectorIndex } from '../../ingestion/ports.js';

export interface ContractSubject {
  index: VectorIndex;
  dispose(): Promise<void>;
}

export const contractDimensions = 4;

export function point(tenant: string, documentId: string, position: number, dense: number[], text: string): IndexedPoint {
  const payload: ChunkPayload = { tenant, documentId, title: `Title of ${documentId}`, source: `docs/${documentId}.md`, position, headingPath: ['Guide', `Part ${position}`], text, contentHash: `hash-${text}` };
  return { id: randomUUID(), dense, sparse: passageKeywordVector(text), payload };
}

const query = (tenant: string, dense: number[], text: string, mode?: 'hybrid' | 'dense' | 'keyword', limit = 10) =>
  ({ tenant, dense, sparse: queryKeywordVector(text), limit, ...(mode ? { mode } : {}) });

export function describeVectorIndexContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let subject: ContractSubject;
    let index: VectorIndex;
    beforeEach(async () => {
      subject = await create();
      index = subject.index;
      await index.ensureCollection();
    });
    afterEach(() => subject.dispose());

    const wing = point('acme', 'aero', 0, [1, 0, 0, 0], 'Wing lift grows with the angle of attack until the stall.');
    const engine = point('acme', 'aero', 1, [0, 1, 0, 0], 'Turbofan engines mix bypass air with the exhaust jet.');
    const cooking = point('acme', 'recipes', 0, [0, 0, 1, 0], 'Simmer the tomato sauce with basil for twenty minutes.');
    const otherTenant = point('globex', 'aero', 0, [1, 0, 0, 0], 'Wing lift grows with the angle of attack until the stall.');

    it('creates the collection idempotently and starts empty', async () => {
      await index.ensureCollection();
      expect(await index.count()).toBe(0);
      expect(await index.query(query('acme', [1, 0, 0, 0], 'wing'))).toEqual([]);
    });

    it('stores points with their payload and counts them per tenant', async () => {
      await index.upsert([wing, engine, cooking, otherTenant]);
      expect(await index.count()).toBe(4);
      expect(await index.count('acme')).toBe(3);
      expect(await index.count('globex')).toBe(1);
      expect(await index.count('nobody')).toBe(0);
      const [hit] = await index.query(query('acme', [0, 0, 1, 0], 'tomato sauce', 'dense', 1));
      expect(hit).toMatchObject({ id: cooking.id, payload: cooking.payload });
    });

    it('replaces a point upserted again under the same id', async () => {
      await index.upsert([wing]);
      await index.upsert([{ ...wing, payload: { ...wing.payload, title: 'Renamed' } }]);
      expect(await index.count('acme')).toBe(1);
      const [hit] = await index.query(query('acme', [1, 0, 0, 0], 'wing', 'dense', 1));
      expect(hit?.payload.title).toBe('Renamed');
    });

    it('lists and deletes the points of one document of one tenant', async () => {
      await index.upsert([wing, engine, cooking, otherTenant]);
      expect((await index.listDocumentPointIds('acme', 'aero')).sort()).toEqual([wing.id, engine.id].sort());
      expect(await index.listDocumentPointIds('acme', 'missing')).toEqual([]);
      await index.deleteDocument('acme', 'aero');
      expect(await index.listDocumentPointIds('acme', 'aero')).toEqual([]);
      expect(await index.count('acme')).toBe(1);
      expect(await index.listDocumentPointIds('globex', 'aero')).toEqual([otherTenant.id]);
    });

    it('deletes points by id only within the given tenant', async () => {
      await index.upsert([wing, engine, otherTenant]);
      await index.deletePoints('globex', [wing.id]);
      expect(await index.count('acme')).toBe(2);
      await index.deletePoints('acme', [wing.id]);
      await index.deletePoints('acme', []);
      expect(await index.listDocumentPointIds('acme', 'aero')).toEqual([engine.id]);
      expect(await index.count('globex')).toBe(1);
    });

    it('ranks by cosine similarity in dense mode', async () => {
      await index.upsert([wing, engine, cooking]);
      const hits = await index.query(query('acme', [0.9, 0.4, 0, 0], '', 'dense'));
      expect(hits.map((hit) => hit.id)).toEqual([wing.id, engine.id, cooking.id]);
      expect(hits[0]!.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.4), 4);
    });

    it('ranks by keyword match in keyword mode, matching inflected forms', async () => {
      await index.upsert([wing, engine, cooking]);
      const hits = await index.query(query('acme', [1, 0, 0, 0], 'simmering tomatoes', 'keyword'));
      expect(hits.map((hit) => hit.id)).toEqual([cooking.id]);
    });

    it('weighs query terms by how often the query names them (BM25 query term frequency)', async () => {
      const lift = point('acme', 'lift', 0, [1, 0, 0, 0], 'lift coefficient');
      const drag = point('acme', 'drag', 0, [1, 0, 0, 0], 'drag coefficient');
      await index.upsert([lift, drag]);
      expect((await index.query(query('acme', [1, 0, 0, 0], 'lift drag drag', 'keyword', 1)))[0]?.id).toBe(drag.id);
      expect((await index.query(query('acme', [1, 0, 0, 0], 'lift lift drag', 'keyword', 1)))[0]?.id).toBe(lift.id);
    });

    it('fuses dense and keyword rankings in hybrid mode', async () => {
      await index.upsert([wing, engine, cooking]);
      const hits = await index.query(query('acme', [0.2, 1, 0, 0], 'tomato basil'));
      expect(hits.slice(0, 2).map((hit) => hit.id).sort()).toEqual([engine.id, cooking.id].sort());
      expect(hits.map((hit) => hit.id)).toContain(wing.id);
      const both = await index.query(query('acme', [0, 0, 1, 0], 'tomato basil', 'hybrid', 1));
      expect(both.map((hit) => hit.id)).toEqual([cooking.id]);
    });

    it('never returns another tenant\'s points, whatever the mode', async () => {
      await index.upsert([wing, engine, otherTenant]);
      for (const mode of ['hybrid', 'dense', 'keyword'] as const) {
        const hits = await index.query(query('globex', [1, 0, 0, 0], 'wing lift stall turbofan engines', mode));
        expect(hits.map((hit) => hit.id), mode).toEqual([otherTenant.id]);
        expect(hits.every((hit) => hit.payload.tenant === 'globex')).toBe(true);
      }
      expect(await index.query(query('initech', [1, 0, 0, 0], 'wing'))).toEqual([]);
    });

    it('pages through one tenant\'s or all points with their vectors and payload, and names its location', async () => {
      const many = Array.from({ length: 7 }, (_, position) => point('acme', 'paged', position, [1, position, 0, 0], `paged section ${position} wing`));
      await index.upsert([...many, otherTenant]);
      const read = async (tenant?: string) => {
        const seen: IndexedPoint[] = [];
        let from: string | undefined;
        let pages = 0;
        do {
          const page = await index.scroll({ ...(tenant !== undefined ? { tenant } : {}), ...(from !== undefined ? { from } : {}), limit: 3 });
          expect(page.points.length).toBeLessThanOrEqual(3);
          seen.push(...page.points);
          from = page.next;
          pages += 1;
        } while (from !== undefined && pages < 10);
        return seen;
      };
      const acme = await read('acme');
      expect(acme.map((hit) => hit.id).sort()).toEqual(many.map((hit) => hit.id).sort());
      expect((await read()).map((hit) => hit.id).sort()).toEqual([...many, otherTenant].map((hit) => hit.id).sort());
      expect(await read('nobody')).toEqual([]);
      for (const original of many) {
        const copy = acme.find((hit) => hit.id === original.id)!;
        expect(copy.payload).toEqual(original.payload);
        expect(copy.sparse.indices).toEqual(original.sparse.indices);
        copy.sparse.values.forEach((value, position) => expect(value).toBeCloseTo(original.sparse.values[position]!, 5));
        // Stores may keep dense vectors normalised: the direction is what must survive.
        expect(copy.dense).toHaveLength(original.dense.length);
        copy.dense.forEach((value, position) => expect(value / Math.hypot(...copy.dense)).toBeCloseTo(original.dense[position]! / Math.hypot(...original.dense), 4));
      }
      expect(index.location).toMatch(/^(embedded|qdrant):\S+$/);
    });

    it('respects the limit', async () => {
      await index.upsert(Array.from({ length: 30 }, (_, position) => point('acme', 'many', position, [1, position / 30, 0, 0], `wing section ${position}`)));
      expect(await index.query(query('acme', [1, 0, 0, 0], 'wing', 'hybrid', 5))).toHaveLength(5);
      expect(await index.count('acme')).toBe(30);
    });
  });
}
