// The routing decision and fusion strategies on fixed inputs with known outcomes.
import { describe, expect, it } from 'vitest';
import { decideRoute, latencyKey, type RoutingRequest } from '../../domain/routing/routing-policy.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { estimateComplexity } from '../../domain/routing/task-complexity.js';
import { fuseAnswers, type CandidateAnswer } from '../../domain/routing/fusion.js';
import { accessOf, listedModels } from '../../domain/routing/model-access.js';

const small = withDefaults({ model: 'small', endpoint: 'http://a/v1', inputPrice: 1e-7, outputPrice: 2e-7, quality: 1, fallbacks: ['medium'] });
const medium = withDefaults({ model: 'medium', endpoint: 'http://b/v1', inputPrice: 5e-7, outputPrice: 1e-6, quality: 2 });
const large = withDefaults({ model: 'large', endpoint: 'http://c/v1', inputPrice: 3e-6, outputPrice: 1.5e-5, quality: 3, tiers: ['pro', 'enterprise'] });

function request(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    registrations: [small, medium, large],
    tier: 'pro',
    strategy: 'complexity',
    complexity: 'simple',
    promptTokens: 100,
    maxTokens: 200,
    latency: new Map(),
    openEndpoints: new Set(),
    ...overrides,
  };
}

describe('routing decision', () => {
  it('sends simple tasks to the cheapest and complex ones to the best model, with fallback chains', () => {
    const simple = decideRoute(request());
    expect(simple.ok && simple.chosen.model).toBe('small');
    expect(simple.ok && simple.fallbacks.map((registration) => registration.model)).toEqual(['medium', 'large']);
    const complex = decideRoute(request({ complexity: 'complex' }));
    expect(complex.ok && complex.chosen.model).toBe('large');
  });

  it('chooses, and falls back to, only models with the capabilities the request needs', () => {
    const toolCapable = withDefaults({ ...medium, capabilities: { tools: true, jsonMode: true } });
    const vision = withDefaults({ ...large, capabilities: { tools: true, jsonMode: false, vision: true, samplingParams: ['top_k'] } });
    const registrations = [small, toolCapable, vision];
    const tools = decideRoute(request({ registrations, requires: ['tools'] }));
    expect(tools.ok && tools.chosen.model).toBe('medium');
    // small's own fallback chain names medium; small itself is never a fallback of a tool request.
    expect(tools.ok && tools.fallbacks.map((registration) => registration.model)).toEqual(['large']);
    const image = decideRoute(request({ registrations, requires: ['vision', 'top_k'] }));
    expect(image.ok && image.chosen.model).toBe('large');
    expect(image.ok && image.fallbacks).toEqual([]);
    expect(decideRoute(request({ registrations, requires: ['logprobs'] }))).toMatchObject({ ok: false, code: 'model_unavailable', message: expect.stringMatching(/has logprobs/) });
    // A model the client names that lacks one is refused by name, not swapped for another.
    expect(decideRoute(request({ registrations, requestedModel: 'small', requires: ['tools', 'vision'] })))
      .toMatchObject({ ok: false, code: 'bad_request', message: expect.stringMatching(/'small' does not support tool calling \(tools\), image input \(vision\)/) });
  });

  it('lets the tier decide which models are allowed', () => {
    const free = decideRoute(request({ tier: 'free', complexity: 'complex' }));
    expect(free.ok && free.chosen.model).toBe('medium');
    expect(decideRoute(request({ tier: 'free', requestedModel: 'large' }))).toMatchObject({ ok: false, code: 'bad_request' });
    expect(decideRoute(request({ tier: 'pro', requestedModel: 'large' }))).toMatchObject({ ok: true, reason: 'requested by client' });
  });

  it('ranks by measured latency under the latency strategy', () => {
    const latency = new Map([
      [latencyKey('small', small.endpoint), { ttftMs: 900, msPerToken: 40, samples: 5 }],
      [latencyKey('medium', medium.endpoint), { ttftMs: 100, msPerToken: 10, samples: 5 }],
      [latencyKey('large', large.endpoint), { ttftMs: 300, msPerToken: 30, samples: 5 }],
    ]);
    const decision = decideRoute(request({ strategy: 'latency', latency }));
    expect(decision.ok && decision.chosen.model).toBe('medium');
    expect(decision.ok && decision.reason).toContain('lowest measured latency');
  });

  it('skips endpoints whose circuit is open, also for an explicitly requested model', () => {
    const decision = decideRoute(request({ openEndpoints: new Set([small.endpoint]) }));
    expect(decision.ok && decision.chosen.model).toBe('medium');
    expect(decision.ok && decision.skipped).toEqual(['small: circuit open']);
    const requested = decideRoute(request({ requestedModel: 'small', openEndpoints: new Set([small.endpoint]) }));
    expect(requested.ok && requested.chosen.model).toBe('medium');
    const none = decideRoute(request({ openEndpoints: new Set([small.endpoint, medium.endpoint, large.endpoint]) }));
    expect(none).toMatchObject({ ok: false, code: 'model_unavailable' });
  });

  it('never routes to a disabled model', () => {
    const decision = decideRoute(request({ registrations: [{ ...small, status: 'disabled' }, medium] }));
    expect(decision.ok && decision.chosen.model).toBe('medium');
    expect(decision.ok && decision.fallbacks).toEqual([]);
  });

  it('serves a requested disabled model by its fallback chain, or refuses it, as the API catalog does', () => {
    const disabledSmall = { ...small, status: 'disabled' as const };
    const rerouted = decideRoute(request({ registrations: [disabledSmall, medium, large], requestedModel: 'small' }));
    expect(rerouted).toMatchObject({ ok: true, reason: 'requested model small is disabled; using its fallback' });
    expect(rerouted.ok && rerouted.chosen.model).toBe('medium');
    expect(accessOf([disabledSmall, medium, large], 'small', 'pro')).toMatchObject({ ok: true, servedBy: { model: 'medium' } });

    const alone = [{ ...disabledSmall, fallbacks: [] }, medium, large];
    expect(decideRoute(request({ registrations: alone, requestedModel: 'small' }))).toMatchObject({ ok: false, code: 'bad_request' });
    expect(accessOf(alone, 'small', 'pro')).toMatchObject({ ok: false, reason: 'disabled' });
    // A fallback the tier may not use does not serve it either.
    const onlyLarge = [{ ...disabledSmall, fallbacks: ['large'] }, medium, large];
    expect(accessOf(onlyLarge, 'small', 'free')).toMatchObject({ ok: false, reason: 'disabled' });
    expect(decideRoute(request({ registrations: onlyLarge, tier: 'free', requestedModel: 'small' }))).toMatchObject({ ok: false });
  });

  it('lists and accepts only what the tier may use', () => {
    expect(listedModels([small, { ...medium, status: 'disabled' }, large], 'free').map((registration) => registration.model)).toEqual(['small']);
    expect(listedModels([small, medium, large], 'pro').map((registration) => registration.model)).toEqual(['small', 'medium', 'large']);
    expect(accessOf([small, medium, large], 'large', 'free')).toEqual({ ok: false, reason: 'unknown' });
    expect(accessOf([small, medium, large], 'missing', 'pro')).toEqual({ ok: false, reason: 'unknown' });
    expect(accessOf([small, medium, large], 'large', 'pro')).toMatchObject({ ok: true, servedBy: { model: 'large' } });
  });

  it('estimates complexity from the question', () => {
    expect(estimateComplexity({ question: 'Hi there' }).complexity).toBe('simple');
    expect(estimateComplexity({ question: 'Explain step by step why a write-ahead log makes a database crash-safe, and compare it with shadow paging.' }).complexity).toBe('complex');
  });
});

function answer(model: string, text: string, overrides: Partial<CandidateAnswer> = {}): CandidateAnswer {
  return { model, text, latencyMs: 1000, costUsd: 0, weight: 1, finishReason: 'stop', ...overrides };
}

describe('fusion strategies on fixed answers', () => {
  const paris = answer('a', 'The capital of France is Paris.', { latencyMs: 900 });
  const parisToo = answer('b', 'Paris is the capital of France.', { latencyMs: 400 });
  const wrong = answer('c', 'Bananas grow in tropical climates near the equator.', { latencyMs: 200 });

  it('first: the fastest answer, with at most half confidence', () => {
    const decision = fuseAnswers('first', [paris, parisToo, wrong]);
    expect(decision).toMatchObject({ winner: 'c', text: wrong.text, confidence: 0.5 });
    expect(fuseAnswers('first', [answer('x', 'cut off', { finishReason: 'length' })]).confidence).toBe(0.25);
  });

  it('voting: the answer most others agree with wins; agreement is the confidence', () => {
    const decision = fuseAnswers('voting', [paris, parisToo, wrong]);
    expect(['a', 'b']).toContain(decision.winner);
    expect(decision.winner).toBe('b'); // a and b agree equally; b was faster
    expect(decision.confidence).toBeGreaterThan(0.3);
    expect(decision.scores.find((score) => score.model === 'c')!.score).toBeLessThan(decision.confidence / 2);
    const unanimous = fuseAnswers('voting', [paris, { ...paris, model: 'd' }]);
    expect(unanimous.confidence).toBe(1);
  });

  it('ranking: provider weight, then length, then cost', () => {
    const heavy = answer('heavy', 'Short.', { weight: 3 });
    const long = answer('long', 'A much longer and more complete answer than the other one.', { weight: 1 });
    expect(fuseAnswers('ranking', [heavy, long]).winner).toBe('heavy');
    const cheap = answer('cheap', 'Same length answer A.', { costUsd: 0.001 });
    const costly = answer('costly', 'Same length answer B.', { costUsd: 0.01 });
    const decision = fuseAnswers('ranking', [cheap, costly]);
    expect(decision.winner).toBe('cheap');
    expect(decision.confidence).toBeGreaterThan(0.5);
    expect(decision.confidence).toBeLessThanOrEqual(1);
  });

  it('merging: folds statements together and attributes each to every model that made it', () => {
    const first = answer('a', 'Paris is the capital of France. It lies on the Seine.', { weight: 2 });
    const second = answer('b', 'The capital of France is Paris. It has about two million inhabitants.');
    const decision = fuseAnswers('merging', [first, second]);
    expect(decision.text).toBe('Paris is the capital of France. It lies on the Seine. It has about two million inhabitants.');
    expect(decision.attribution).toEqual([
      { sentence: 'Paris is the capital of France.', models: ['a', 'b'] },
      { sentence: 'It lies on the Seine.', models: ['a'] },
      { sentence: 'It has about two million inhabitants.', models: ['b'] },
    ]);
    expect(decision.confidence).toBeCloseTo((1 + 0.5 + 0.5) / 3, 2);
  });

  it('refuses to fuse when no model answered', () => {
    expect(() => fuseAnswers('voting', [answer('a', '  ')])).toThrow('no candidate');
  });
});
