// The browser chat client against the real stack (Temporal, workers, the local model, Postgres, Redis), in
// Debian's Chromium: sign in, stream with citations, stop, survive a dropped connection, upload and ask,
// readable refusals, and the basics a page must get right (no console errors, same-origin modules only,
// first paint under a second). Screenshots go to .data/screenshots.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { apiKeyFor, identityStore } from '../support/identities.js';
import { ingestionSettings, runJob, sampleCorpus, startIngestionWorker } from '../support/ingestion.js';
import { services } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { launchChromium, screenshot, watchedPage, type RunningBrowser, type WatchedPage } from '../support/browser.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tiersWith } from '../gateway/gateway-helpers.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

// The page's globals used by code that runs in the browser (this suite compiles without the DOM library).
interface PageElement { textContent: string | null; getAttribute(name: string): string | null }
declare const document: { querySelector(selector: string): PageElement | null; scripts: ArrayLike<{ type: string; src: string }>; documentElement: { scrollWidth: number }; activeElement: unknown };

const tenant = `web-${randomUUID().slice(0, 6)}`;
const batteryQuestion = 'How long does the Orbitra outdoor sensor mast run on its batteries?';
const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';

// Generous timeouts: several suites share two cores, and a browser adds its own load.
describe('the web chat client in a real browser', { timeout: 240_000 }, () => {
  const chatQueue = uniqueTaskQueue('web');
  let settings: Record<string, string>;
  let worker: RunningWorker;
  let ingestion: { stop(): Promise<void> };
  let api: TestApi;
  let proxy: TcpProxy;
  let chromium: RunningBrowser;
  let pool: pg.Pool;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    // Free-tier orgs may send one request a minute; everyone else is unlimited.
    settings = await ingestionSettings('web', {
      GATEWAY_TIERS: tiersWith('free', { requestsPerMinute: 1 }),
      INGESTION_UPLOAD_DIRECTORY: await mkdtemp(path.join(tmpdir(), 'ragtime-web-uploads-')),
      // A starved model server is slow, not broken: this suite is about the client, not stall detection.
      LLM_STALL_TIMEOUT_MS: '60000',
      RETRIEVAL_TIMEOUT_MS: '20000',
    });
    [worker, ingestion, api, chromium] = await Promise.all([
      startWorker(chatQueue, settings), startIngestionWorker(settings), startApi(chatQueue, settings), launchChromium(),
    ]);
    const progress = await runJob(api.temporal, settings, { tenantId: tenant, sources: [sampleCorpus] });
    expect(progress.failed).toBe(0);
    const target = new URL(api.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    pool = new pg.Pool({ connectionString: services().databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await chromium?.close();
    await proxy?.close();
    await api?.close();
    await Promise.all([worker?.stop(), ingestion?.stop()]);
    await pool?.end();
  });

  /** A page signed in through the development link (#dev-key=…), as `./ragtime up` prints it. */
  async function signedIn(key: string, viewport?: { width: number; height: number }): Promise<WatchedPage> {
    const watched = await watchedPage(chromium.context, viewport);
    pages.push(watched);
    await watched.page.goto(`${proxy.url}/#dev-key=${key}`);
    await watched.page.getByLabel('Message').waitFor();
    expect(new URL(watched.page.url()).hash).toBe('');
    return watched;
  }

  async function ask(page: Page, question: string, maxTokens?: number): Promise<string> {
    if (maxTokens) await page.getByLabel('Max tokens').fill(String(maxTokens));
    await page.getByLabel('Message').fill(question);
    await page.getByLabel('Message').press('Enter');
    const turn = page.locator('article.turn').last();
    await turn.waitFor();
    return (await turn.getAttribute('data-request-id'))!;
  }

  const finished = (page: Page, requestId: string) => page.locator(`article.turn.finished[data-request-id="${requestId}"]`).waitFor({ timeout: 180_000 });

  async function storedTurn(org: string, requestId: string): Promise<{ answer: string; outcome: string; citations: { index: number; source: string; snippet: string }[] }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await pool.query('SELECT answer, outcome, citations FROM turns WHERE tenant_id = $1 AND request_id = $2', [org, requestId]);
      if (rows[0]) return rows[0];
      if (Date.now() > deadline) throw new Error(`turn ${requestId} not persisted`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('signs in, streams an answer about the sample corpus, and a citation opens its snippet', async () => {
    const { page, consoleErrors } = await signedIn(await apiKeyFor(tenant));
    const requestId = await ask(page, batteryQuestion, 96);
    // Text is on the page while the answer is still streaming.
    await page.waitForFunction((id) => {
      const body = document.querySelector(`article[data-request-id="${id}"] .answer-body`);
      return body?.getAttribute('aria-busy') === 'true' && (body.textContent ?? '').trim().length > 0;
    }, requestId, { timeout: 60_000 });
    await finished(page, requestId);
    await expect(page.locator('.status-line li').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringMatching(/^Plan:/), expect.stringMatching(/^Retrieval: \d+ source/), expect.stringMatching(/^Model: /)]));

    const stored = await storedTurn(tenant, requestId);
    expect(stored.citations.length).toBeGreaterThan(0);
    const battery = stored.citations.find((citation) => citation.source.endsWith('orbitra-batteries-and-warranty.txt'));
    expect(battery, 'the batteries document is among the sources').toBeDefined();
    await page.locator(`article[data-request-id="${requestId}"] .source-chips a.cite[data-cite="${battery!.index}"]`).click();
    const selected = page.locator('.sources-panel li.source.selected');
    await expect(selected.locator('.snippet').textContent()).resolves.toBe(battery!.snippet);
    await expect(selected.locator('.origin').textContent()).resolves.toBe('File: orbitra-batteries-and-warranty.txt');
    await expect(selected.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await expect(page.locator(`article[data-request-id="${requestId}"] a.run-link`).getAttribute('href')).resolves.toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(chatWorkflowId(tenant, requestId))}`);
    await expect(page.locator(`article[data-request-id="${requestId}"] .tokens`).textContent()).resolves.toMatch(/^\d+ \+ \d+ tokens$/);
    await screenshot(page, 'chat-with-sources');
    expect(consoleErrors).toEqual([]);
  });

  it('stops mid-answer: the model server stops generating and the turn ends cancelled', async () => {
    const { page, consoleErrors } = await signedIn(await apiKeyFor(tenant));
    const requestId = await ask(page, longQuestion, 1500);
    await page.waitForFunction((id) => (document.querySelector(`article[data-request-id="${id}"] .answer-body`)?.textContent ?? '').length > 40, requestId, { timeout: 150_000 });
    await page.getByRole('button', { name: 'Stop' }).click();
    await finished(page, requestId);
    await expect(page.locator(`article[data-request-id="${requestId}"] .error-cancelled`).textContent()).resolves.toBe('Stopped.');
    const handle = api.temporal.workflow.getHandle(chatWorkflowId(tenant, requestId));
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await slotsProcessing()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it('drops the connection mid-answer, reconnects and completes with exactly the persisted text', async () => {
    const { page, consoleErrors } = await signedIn(await apiKeyFor(tenant));
    const requestId = await ask(page, longQuestion, 120);
    await page.waitForFunction((id) => (document.querySelector(`article[data-request-id="${id}"] .answer-body`)?.textContent ?? '').length > 40, requestId, { timeout: 150_000 });
    expect(proxy.dropAll()).toBeGreaterThan(0);
    await page.getByText('Reconnected: the answer continues where it stopped.').waitFor({ timeout: 30_000 });
    await finished(page, requestId);
    const streamed = await page.locator(`article[data-request-id="${requestId}"] .answer-body`).innerHTML();
    const stored = await storedTurn(tenant, requestId);
    expect(stored.outcome).toBe('completed');
    await screenshot(page, 'reconnected');

    // The same turn rendered from what was persisted: any gap or repeat in the stream would differ.
    await page.reload();
    await page.locator(`article.turn.finished[data-request-id="${requestId}"]`).waitFor();
    expect(await page.locator(`article[data-request-id="${requestId}"] .answer-body`).innerHTML()).toBe(streamed);
    expect((await page.locator(`article[data-request-id="${requestId}"] .answer-body`).innerText()).replace(/\s+/g, ' ').trim().slice(0, 30))
      .toBe(stored.answer.replace(/[*_#`>]/g, '').replace(/\s+/g, ' ').trim().slice(0, 30));
    expect(consoleErrors.filter((error) => !error.includes('WebSocket'))).toEqual([]);
  }, 420_000);

  it('uploads a document, shows its progress and outcome, and answers from it', async () => {
    const { page, consoleErrors } = await signedIn(await apiKeyFor(tenant));
    const folder = await mkdtemp(path.join(tmpdir(), 'ragtime-web-doc-'));
    const file = path.join(folder, 'zephyrine-kettle.md');
    await writeFile(file, '# Zephyrine kettle\n\nThe Zephyrine kettle boils one litre of water in 47 seconds. Its base is made of copper and it whistles twice when ready.\n');
    await page.getByRole('button', { name: 'Documents' }).click();
    await page.getByLabel(/Upload files/).setInputFiles(file);
    await page.locator('.job-outcome.ok').waitFor({ timeout: 60_000 });
    await expect(page.locator('.job-outcome').first().textContent()).resolves.toMatch(/^1 of 1 processed: 1 indexed, 0 unchanged, 0 failed/);
    await expect(page.locator('.documents tbody').textContent()).resolves.toContain('zephyrine-kettle.md');
    await screenshot(page, 'documents');
    await page.getByRole('button', { name: 'Documents' }).click();

    const requestId = await ask(page, 'How fast does the Zephyrine kettle boil water?', 64);
    await finished(page, requestId);
    const stored = await storedTurn(tenant, requestId);
    const kettle = stored.citations.find((citation) => citation.source.endsWith('zephyrine-kettle.md'));
    expect(kettle?.snippet).toContain('47 seconds');
    await page.locator(`article[data-request-id="${requestId}"] .source-chips a.cite[data-cite="${kettle!.index}"]`).click();
    await expect(page.locator('.sources-panel li.source.selected .origin').textContent()).resolves.toBe('File: zephyrine-kettle.md');
    expect(consoleErrors).toEqual([]);
  });

  it('shows a rate limit with its retry time and an exhausted budget', async () => {
    // Two tabs of a free-tier user (one request a minute): the second question is refused at once.
    const freeOrg = `web-free-${randomUUID().slice(0, 6)}`;
    const freeKey = await apiKeyFor(freeOrg, { tier: 'free' });
    const first = await signedIn(freeKey);
    const { page } = await signedIn(freeKey);
    const admitted = await ask(first.page, 'Say hi.', 8);
    await first.page.locator('.status-line li').first().waitFor();
    const second = await ask(page, 'Say hi again.', 8);
    await finished(page, second);
    await expect(page.locator(`article[data-request-id="${second}"] .error-rate_limit_exceeded`).textContent())
      .resolves.toMatch(/^Rate limit reached: too many requests\. Try again in \d+ seconds?\.$/);
    await screenshot(page, 'rate-limited');

    const brokeOrg = `web-broke-${randomUUID().slice(0, 6)}`;
    const brokeKey = await apiKeyFor(brokeOrg);
    await identityStore().setBudget('test', brokeOrg, { kind: 'fixed', micros: 0 });
    const broke = await signedIn(brokeKey);
    const refused = await ask(broke.page, 'Say hi.', 8);
    await finished(broke.page, refused);
    await expect(broke.page.locator(`article[data-request-id="${refused}"] .error-budget_exhausted`).textContent()).resolves.toMatch(/^Budget exhausted:/);
    await expect(broke.page.locator('.usage').textContent()).resolves.toMatch(/\$0\.0000 spent of \$0\.0000/);
    await finished(first.page, admitted);
  });

  it('loads only same-origin module scripts, logs no console errors, paints within a second and fits a phone', async () => {
    const { page, consoleErrors, requests } = await signedIn(await apiKeyFor(tenant), { width: 375, height: 740 });
    const scripts = await page.evaluate(() => Array.from(document.scripts).map((script) => ({ type: script.type, src: script.src })));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(script.type).toBe('module');
      expect(new URL(script.src).origin).toBe(proxy.url);
    }
    expect(requests.filter((url) => !url.startsWith(`${proxy.url}/`) && !url.startsWith(proxy.url.replace('http', 'ws')))).toEqual([]);
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    expect(paint).toBeGreaterThan(0);
    expect(paint).toBeLessThan(1000);
    // Nothing overflows the phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'phone');

    const index = await fetch(`${api.url}/`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const asset = (await index.text()).match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect((await fetch(`${api.url}${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${api.url}/v1/no-such-route`)).status).toBe(404);
    expect(consoleErrors).toEqual([]);
  });
});

async function slotsProcessing(): Promise<number> {
  const deadline = Date.now() + 3_000;
  let busy = 0;
  do {
    const slots = (await (await fetch(`${services().modelServerUrl}/slots`)).json()) as { is_processing: boolean }[];
    busy = slots.filter((slot) => slot.is_processing).length;
    if (busy === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  return busy;
}
