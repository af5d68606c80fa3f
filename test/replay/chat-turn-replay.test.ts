// Recorded histories of chatTurnWorkflow must replay against the current workflow code: a change that breaks
// determinism fails here. Re-record them (RECORD_HISTORIES=1 on the suites that make them: test/gateway/
// workflow-settlement, test/routing/fusion-api, test/tools/tool-injection — see test/support/record-history.ts) after a deliberate,
// versioned change. The deprecated-patch-* ones were recorded while 'lean-turn' was deprecated (its marker is in
// their history, marked deprecated, which code without the patch call still replays); turns recorded under the
// undeprecated patch were retired with it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { services } from '../support/services.js';

const directory = path.resolve(import.meta.dirname, '../fixtures/histories');
const files = readdirSync(directory).filter((file) => file.endsWith('.json')).sort();

describe('chatTurnWorkflow replay', () => {
  it('has recorded histories for completed, cancelled, crash-recovered, retrieval-and-tools and fusion runs, and from while lean-turn was deprecated', () => {
    expect(files).toEqual(expect.arrayContaining(['completed.json', 'cancelled.json', 'worker-crash.json', 'persist-failed.json', 'rag-tools.json', 'fusion-voting.json']));
    expect(files).toEqual(expect.arrayContaining(['deprecated-patch-completed.json', 'deprecated-patch-cancelled.json']));
  });

  it.each(files)('replays %s without non-determinism', async (file) => {
    // A fixture whose run starts children (fusion) names its workflow id: the children's ids derive from it.
    const { workflowId, ...history } = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as { workflowId?: string };
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: services().chatBundlePath } }, history, workflowId ?? file),
    ).resolves.toBeUndefined();
  });
});
