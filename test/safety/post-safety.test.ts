// The postSafety activity's citation check: lines restating the source list come back as the answer to
// keep, with the reason recorded; the output policy still sees the whole answer.
import { describe, expect, it } from 'vitest';
import { createPostSafetyActivity } from '../../activities/chat/post-safety.js';
import type { ChatActivityDependencies } from '../../activities/chat/dependencies.js';
import type { SafetyScreen } from '../../domain/chat/ports.js';

const sources = [{ names: ['orbitra-batteries-and-warranty', 'http://docs.example/orbitra-batteries-and-warranty.txt'] }];
const answer = 'It runs 18 months on two AA lithium batteries [1].\n\n[1] orbitra-batteries-and-warranty: #12, #15, #16, #20, …\n[2] orbitra-manual: p. 3';

describe('postSafety', () => {
  it('returns the answer without source lines, and says how many named no retrieved source', async () => {
    const postSafety = createPostSafetyActivity({} as ChatActivityDependencies);
    const verdict = await postSafety({ tenantId: 'acme', answer, sourceCount: 1, sources });
    expect(verdict).toEqual({
      action: 'allow',
      answer: 'It runs 18 months on two AA lithium batteries [1].',
      reasons: ['answer cites [2] but only 1 source(s) exist', 'removed 2 line(s) restating the source list, 1 naming no retrieved source'],
    });
  });

  it('leaves a clean answer as it is (no answer field), and merges the output policy\'s verdict', async () => {
    const seen: string[] = [];
    const safety = { check: async (_tenant: string, text: string) => { seen.push(text); return { action: 'allow' as const, reasons: ['policy looked'] }; } } as unknown as SafetyScreen;
    const postSafety = createPostSafetyActivity({ safety } as unknown as ChatActivityDependencies);
    expect(await postSafety({ tenantId: 'acme', answer: 'Fine [1].', sourceCount: 1, sources })).toEqual({ action: 'allow', reasons: ['policy looked'] });
    await postSafety({ tenantId: 'acme', answer, sourceCount: 1, sources });
    expect(seen).toEqual(['Fine [1].', answer]);
  });

  it('checks only the markers of a history recorded before sources were passed', async () => {
    const postSafety = createPostSafetyActivity({} as ChatActivityDependencies);
    const verdict = await postSafety({ tenantId: 'acme', answer: 'Claim [1].\n[1] anything', sourceCount: 1 });
    expect(verdict.answer).toBe('Claim [1].');
    expect(verdict.reasons).toEqual(['removed 1 line(s) restating the source list, 1 naming no retrieved source']);
  });

  it('tells a turn answered before it is stored what the whole check changed, in answer.done, and nothing when it changed nothing', async () => {
    const published: unknown[] = [];
    const events = { publish: async (_workflowId: string, event: unknown) => { published.push(event); } };
    // The whole check finds an address the streamed fragments did not show in full.
    const safety = { check: async (_tenant: string, text: string) => (text.includes('@') ? { action: 'redact' as const, reasons: ['email'], text: '{"to":"[redacted:email]"}' } : { action: 'allow' as const, reasons: [] }) } as unknown as SafetyScreen;
    const postSafety = createPostSafetyActivity({ events, safety, temporalUiUrl: 'http://ui', temporalNamespace: 'default' } as unknown as ChatActivityDependencies);
    const announce = { workflowId: 'wf', conversationId: 'c', model: 'm', usage: { promptTokens: 1, completionTokens: 2 }, citations: 1 };
    await postSafety({ tenantId: 'acme', answer, sourceCount: 1, sources, toolArguments: ['{"to":"ada@example.com"}', '{}'], announce });
    await postSafety({ tenantId: 'acme', answer: 'Fine [1].', sourceCount: 1, sources, toolArguments: ['{}'], announce });
    expect(published).toEqual([
      { type: 'answer.done', dedupeKey: 'answer.done', data: expect.objectContaining({ answer: 'It runs 18 months on two AA lithium batteries [1].', toolArguments: ['{"to":"[redacted:email]"}', '{}'] }) },
      { type: 'answer.done', dedupeKey: 'answer.done', data: expect.not.objectContaining({ answer: expect.anything() }) },
    ]);
    expect(published[1]).not.toHaveProperty('data.toolArguments');
  });
});
