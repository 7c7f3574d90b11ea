import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../config/project-root';

/** Debian's chromium: the page tests drive a real browser and never download one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, '.data', 'page-screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: the page tests drive a real browser. ` +
        'Install it with "apt-get install -y chromium" (.ci/run does so before the tests).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page in its own context (its own sessionStorage), recording what a test checks afterwards. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the page. */
  errors: string[];
  /** Every URL the page requested or navigated to. */
  urls: string[];
}

export async function openWatchedPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const urls: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('request', (request) => urls.push(request.url()));
  page.on('framenavigated', (frame) => urls.push(frame.url()));
  await page.goto(url);
  return { context, page, errors, urls };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}
