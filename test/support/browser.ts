// Debian's Chromium driven by playwright-core (no browser download): headless, a fresh profile per launch,
// nothing phoning home. Pages record console errors, failed requests and every URL they load.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from './processes.js';

export const screenshotDirectory = path.join(projectRoot, '.data', 'screenshots');

export interface RunningBrowser {
  /** The one context of the fresh profile: its pages share storage, as tabs do. */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<RunningBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'ragtime-chromium-'));
  // Playwright passes the profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  await mkdir(screenshotDirectory, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  consoleErrors: string[];
  requests: string[];
}

export async function watchedPage(context: BrowserContext, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  return { page, consoleErrors, requests };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDirectory, `${name}.png`) });
}
