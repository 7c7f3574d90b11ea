import type { Browser, Page } from 'playwright-core';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack';
import { launchChromium, openWatchedPage, screenshotPath, type WatchedPage } from './browser';

// What the functions run inside the page (page.evaluate, waitForFunction) touch; the project's
// type check has no DOM library, and these names stay in this module.
declare const document: any;
declare const window: any;
declare const sessionStorage: any;
declare const localStorage: any;
declare const MutationObserver: any;

let stack: TestStack;
let browser: Browser;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startTestStack();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(async () => {
  for (const watched of opened.splice(0)) await watched.context.close();
});

const PHASES = ['INIT', 'PREP', 'AI_CALL', 'PARSE', 'SAVE', 'DONE'];

async function openPage(viewport?: { width: number; height: number }): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser, `${stack.baseUrl}/app/`, viewport);
  opened.push(watched);
  return watched;
}

async function accountWithKeywords(words: string[], { configured = true } = {}): Promise<TestAccount> {
  const account = await stack.createAccount();
  if (configured) await stack.configureOpenAI(account);
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: words.map((keyword) => ({ keyword, volume: 10 })) } });
  expect(answer.status).toBe(200);
  return account;
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByLabel('API key').press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Records, in the page, every phase and percentage the modal shows, in order. */
async function recordModal(page: Page): Promise<void> {
  await page.evaluate(() => {
    const dialog = document.querySelector('dialog')!;
    const bar = dialog.querySelector('[role="progressbar"]')!;
    const seen = { phases: [] as string[], percentages: [] as number[] };
    (window as unknown as { modalSeen: typeof seen }).modalSeen = seen;
    new MutationObserver(() => {
      const phase = dialog.dataset.phase;
      if (phase && seen.phases[seen.phases.length - 1] !== phase) seen.phases.push(phase);
      const value = Number(bar.getAttribute('aria-valuenow'));
      if (seen.percentages[seen.percentages.length - 1] !== value) seen.percentages.push(value);
    }).observe(dialog, { attributes: true, subtree: true, attributeFilter: ['data-phase', 'aria-valuenow'] });
  });
}

async function modalSeen(page: Page): Promise<{ phases: string[]; percentages: number[] }> {
  return page.evaluate(() => (window as unknown as { modalSeen: { phases: string[]; percentages: number[] } }).modalSeen);
}

async function waitForPercentage(page: Page, value: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((v) => document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === String(v), value, { timeout });
}

function expectNoErrors(watched: WatchedPage, allowed: RegExp[] = []): void {
  expect(watched.errors.filter((e) => !allowed.some((pattern) => pattern.test(e)))).toEqual([]);
}

function expectKeyNeverInUrl(watched: WatchedPage, key: string): void {
  expect(watched.urls.length).toBeGreaterThan(0);
  expect(watched.urls.filter((url) => url.includes(key) || url.includes(encodeURIComponent(key)))).toEqual([]);
}

describe('the progress page at /app/', () => {
  it('signs in: a wrong key is refused, the right one shows the rows; the key stays in sessionStorage only', async () => {
    const account = await accountWithKeywords(['trail shoes', 'road shoes']);
    const watched = await openPage();
    const { page } = watched;

    await page.getByLabel('API key').fill('not-the-key');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('That API key was not accepted').waitFor();
    expect(await page.locator('#workspace').isHidden()).toBe(true);

    await signIn(page, account.apiKey);
    await page.getByLabel('trail shoes').waitFor();
    expect(await page.getByLabel('road shoes').isChecked()).toBe(false);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([1, 0, '']);
    expect(await page.getByLabel('API key').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.locator('#workspace').isHidden()).toBe(true);

    expectKeyNeverInUrl(watched, account.apiKey);
    // The wrong key's 401 is the browser's note of a refused request, not an error of the page.
    expectNoErrors(watched, [/401 \(Unauthorized\)/]);
  });

  it('clusters two keywords checked by their labels: the modal rises to 100 through the phases in order', async () => {
    const account = await accountWithKeywords(['blue running shoes', 'red running shoes', 'hiking boots']);
    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);

    const start = page.getByRole('button', { name: 'Auto Cluster Keywords' });
    await start.waitFor();
    expect(await start.isDisabled()).toBe(true);
    expect(await page.locator('#why-auto_cluster').textContent()).toBe('Select at least one keyword.');

    await page.getByLabel('blue running shoes').check();
    await page.getByLabel('red running shoes').check();
    expect(await start.isEnabled()).toBe(true);
    await recordModal(page);
    await start.click();

    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe('Auto Cluster Keywords');
    await waitForPercentage(page, 100);
    await dialog.getByText('Clustering complete').waitFor();
    const seen = await modalSeen(page);
    expect(seen.phases[seen.phases.length - 1]).toBe('DONE');
    expect(seen.phases.map((p) => PHASES.indexOf(p))).toEqual([...seen.phases.map((p) => PHASES.indexOf(p))].sort((a, b) => a - b));
    expect(seen.phases.length).toBeGreaterThanOrEqual(3);
    expect(seen.percentages).toEqual([...seen.percentages].sort((a, b) => a - b));
    expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await dialog.locator('[data-part="state"]').textContent()).toBe('Done');
    expect(await dialog.locator('[data-part="request-steps"] tr').count()).toBeGreaterThanOrEqual(3);
    expect(await dialog.locator('[data-part="response-steps"] tr').count()).toBeGreaterThanOrEqual(2);
    expect(await dialog.locator('[data-part="cost"]').textContent()).toMatch(/^\$0\.\d{6}$/);
    expect(Number((await dialog.locator('[data-part="tokens"]').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await dialog.getByRole('button', { name: 'Cancel task' }).isHidden()).toBe(true);

    await dialog.screenshot({ path: screenshotPath('auto-cluster-100') });
    await page.setViewportSize({ width: 375, height: 812 });
    await dialog.screenshot({ path: screenshotPath('auto-cluster-100-375px') });
    // At 375 px the modal fits the width: nothing to scroll sideways.
    expect(await page.evaluate(() => document.querySelector('dialog')!.scrollWidth <= window.innerWidth)).toBe(true);

    // Closing the modal leaves the task listed; its row opens the modal again.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('#recent-tasks tbody tr').first();
    await row.getByText('done').waitFor();
    await row.getByRole('button', { name: /^Open Auto Cluster Keywords task/ }).click();
    await dialog.waitFor();
    await dialog.getByText('Clustering complete').waitFor();
    expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    // The keywords are mapped now: the lists were loaded again when the task ended.
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    expect(await page.locator('section[data-resource="cluster"] .row').count()).toBeGreaterThan(0);

    expectKeyNeverInUrl(watched, account.apiKey);
    expectNoErrors(watched);
  });

  it('shows a failure with its message; Retry, once the settings are fixed, runs the task again to 100', async () => {
    const account = await accountWithKeywords(['unconfigured keyword'], { configured: false });
    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);
    await page.getByLabel('unconfigured keyword').check();
    await page.getByRole('button', { name: 'Auto Cluster Keywords' }).click();

    const dialog = page.getByRole('dialog');
    const alert = dialog.getByRole('alert');
    await alert.getByText(`OpenAI IntegrationSettings not configured for account ${account.accountId}`).waitFor();
    expect(await dialog.locator('[data-part="state"]').textContent()).toBe('Failed');
    const failedTaskId = await dialog.locator('[data-part="task-id"]').textContent();
    const retry = dialog.getByRole('button', { name: 'Retry' });
    expect(await retry.isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Cancel task' }).isHidden()).toBe(true);

    await dialog.screenshot({ path: screenshotPath('auto-cluster-failed') });

    await stack.configureOpenAI(account);
    await retry.click();
    await waitForPercentage(page, 100);
    await dialog.getByText('Clustering complete').waitFor();
    expect(await dialog.locator('[data-part="task-id"]').textContent()).not.toBe(failedTaskId);
    expect(await alert.isHidden()).toBe(true);
    expect(await retry.isHidden()).toBe(true);

    expectKeyNeverInUrl(watched, account.apiKey);
    expectNoErrors(watched);
  });

  it('streams a generated article into the modal as text, then previews the saved article', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);

    await page.getByLabel('Title').fill('Choosing trail running shoes');
    await page.getByLabel('Keywords (comma-separated)').fill('trail shoes, grip');
    await page.getByRole('button', { name: 'Add writer task' }).click();
    await page.getByLabel('Choosing trail running shoes').check();

    stack.provider.settings({ streamChunkDelayMs: 25 });
    try {
      await page.getByRole('button', { name: 'Generate Content' }).click();
      const dialog = page.getByRole('dialog');
      // Text arrives while the task is still under way.
      await page.waitForFunction(
        () =>
          (document.querySelector('.stream-text')?.textContent?.length ?? 0) > 0 &&
          Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) < 100,
        null,
        { timeout: 30_000 },
      );
      await waitForPercentage(page, 100);
      await dialog.getByText('Content generation complete').waitFor();
    } finally {
      stack.provider.settings({ streamChunkDelayMs: 0 });
    }
    const dialog = page.getByRole('dialog');
    const streamed = dialog.locator('.stream-text');
    const text = (await streamed.textContent())!;
    // The model's raw text, markup and all, is shown as characters: no element was made from it.
    expect(text).toContain('<');
    expect(await streamed.evaluate((pre) => pre.children.length)).toBe(0);
    const [request] = await stack.prisma.aIRequest.findMany({ where: { accountId: account.accountId } });
    expect(text).toBe(request.responseText);

    const preview = dialog.getByRole('article', { name: 'Article: Choosing trail running shoes' });
    await preview.waitFor();
    expect(await preview.locator('p').count()).toBeGreaterThan(0);
    expect(await preview.locator('script, [onerror], [onclick]').count()).toBe(0);
    await dialog.screenshot({ path: screenshotPath('generate-content-100') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('Choosing trail running shoes').first().waitFor();
    await page.screenshot({ path: screenshotPath('page'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: screenshotPath('page-375px'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    expectKeyNeverInUrl(watched, account.apiKey);
    expectNoErrors(watched);
  });

  it('extracts image prompts and generates the images from the page, showing them as thumbnails', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    const settings = { provider: 'openai', model: 'dall-e-3', size: '1024x1024', image_type: 'realistic', image_format: 'webp', max_in_article_images: 1, desktop_enabled: true, mobile_enabled: false };
    const put = await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: account.apiKey, body: { config: settings, is_active: true } });
    expect(put.status).toBe(200);
    const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId } });
    const place = { accountId: account.accountId, siteId: sector.siteId, sectorId: sector.id };
    const articles = [];
    for (const title of ['Trail shoes guide', 'Waterproof jackets']) {
      const task = await stack.prisma.writerTask.create({ data: { ...place, title, status: 'completed' } });
      const html = `<h2>${title}</h2>\n<p>What to know before buying.</p>\n<h2>Care</h2>\n<p>How to keep them going.</p>`;
      articles.push(await stack.prisma.content.create({ data: { ...place, taskId: task.id, title, htmlContent: html, wordCount: 14 } }));
    }
    const promptless = await stack.prisma.image.create({ data: { accountId: account.accountId, contentId: articles[1].id, imageType: 'featured', position: 0, prompt: '' } });

    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);
    const contentSection = page.locator('section[data-resource="content"]');
    await contentSection.getByLabel('Trail shoes guide', { exact: true }).check();
    await page.getByRole('button', { name: 'Generate Image Prompts' }).click();
    const dialog = page.getByRole('dialog');
    await waitForPercentage(page, 100);
    await dialog.getByText('Image prompts complete').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const imageSection = page.locator('section[data-resource="image"]');
    const start = page.getByRole('button', { name: 'Generate Images', exact: true });
    await imageSection.getByText('3 images').waitFor();
    await imageSection.getByLabel('Select all images').check();
    expect(await start.isDisabled()).toBe(true);
    expect(await page.locator('#why-generate_images').textContent()).toContain(`1 image selected with no prompt (${promptless.id})`);
    await imageSection.getByLabel(`featured image ${promptless.id} (article ${articles[1].id})`).uncheck();
    expect(await start.isEnabled()).toBe(true);
    await start.click();
    await waitForPercentage(page, 100);
    await dialog.getByText('Image generation complete').waitFor();
    const thumbnails = dialog.locator('.thumbs img');
    await thumbnails.first().waitFor();
    expect(await thumbnails.count()).toBe(2);
    await page.waitForFunction(() => [...document.querySelectorAll('.thumbs img')].every((img: any) => img.complete && img.naturalWidth > 0));
    await dialog.screenshot({ path: screenshotPath('generate-images-100') });

    expectKeyNeverInUrl(watched, account.apiKey);
    expectNoErrors(watched);
  });

  it('closing the modal leaves the task running; reopened from Recent tasks, Cancel task ends it', async () => {
    const account = await accountWithKeywords(['slow keyword']);
    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);
    stack.provider.enqueue({ hang: true, path: '/v1/chat/completions', match: 'slow keyword' });
    await page.getByLabel('slow keyword').check();
    await page.getByRole('button', { name: 'Auto Cluster Keywords' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Generating clusters with Igny8 Semantic SEO Model').waitFor();
    const taskId = (await dialog.locator('[data-part="task-id"]').textContent())!;
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
    expect(progress.body.state).toBe('PROGRESS');

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`#recent-tasks tr[data-task-id="${taskId}"]`).getByText('running').waitFor();
    await page.locator(`#recent-tasks tr[data-task-id="${taskId}"]`).getByRole('button', { name: /^Open/ }).click();
    await dialog.getByText('Generating clusters with Igny8 Semantic SEO Model').waitFor();
    await dialog.getByRole('button', { name: 'Cancel task' }).click();
    await page.waitForFunction(() => document.querySelector('dialog')?.dataset.state === 'REVOKED', null, { timeout: 20_000 });
    expect(await dialog.locator('[data-part="state"]').textContent()).toBe('Cancelled');
    expect(await dialog.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Cancel task' }).isHidden()).toBe(true);

    expectKeyNeverInUrl(watched, account.apiKey);
    expectNoErrors(watched);
  });

  it('is served with its own Content-Security-Policy; an unknown page file is a 404 in the API shape', async () => {
    const page = await fetch(`${stack.baseUrl}/app/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await page.text()).toContain('<label for="api-key">API key</label>');
    const script = await fetch(`${stack.baseUrl}/app/main.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const missing = await stack.api('GET', '/app/nothing.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ success: false, error: 'No page file nothing.js.' });
    const outside = await stack.api('GET', '/app/..%2Fpage.ts');
    expect(outside.status).toBe(404);
  });

  it('falls back to polling every 1.5 s when the live stream is cut mid-run, and still reaches 100', async () => {
    const account = await accountWithKeywords(['cut stream one', 'cut stream two']);
    const watched = await openPage();
    const { page } = watched;
    await signIn(page, account.apiKey);

    // The first stream delivers its events up to the running task's first progress, then the
    // connection drops; every later attempt to open it fails.
    let streamsAsked = 0;
    let cutAt = 0;
    await page.route(
      (url) => url.pathname.endsWith('/stream/'),
      async (route) => {
        streamsAsked += 1;
        if (streamsAsked > 1) return route.abort('connectionrefused');
        const events = await firstEventsOf(route.request().url());
        cutAt = Date.now();
        await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: events });
      },
    );
    const polls: number[] = [];
    page.on('request', (request) => {
      if (/\/task_progress\/[^/]+\/$/.test(new URL(request.url()).pathname)) polls.push(Date.now());
    });

    stack.provider.enqueue({ delayMs: 3500, path: '/v1/chat/completions', match: 'cut stream one' });
    await page.getByLabel('cut stream one').check();
    await page.getByLabel('cut stream two').check();
    await recordModal(page);
    await page.getByRole('button', { name: 'Auto Cluster Keywords' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The live stream was interrupted; checking every 1.5 s instead.').waitFor();
    await waitForPercentage(page, 100);
    await dialog.getByText('Clustering complete').waitFor();

    expect(streamsAsked).toBe(1);
    const after = polls.filter((t) => t > cutAt);
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < after.length; i++) expect(after[i] - after[i - 1]).toBeGreaterThanOrEqual(1300);
    const seen = await modalSeen(page);
    expect(seen.phases).toContain('AI_CALL');
    expect(seen.phases[seen.phases.length - 1]).toBe('DONE');
    expect(seen.percentages).toEqual([...seen.percentages].sort((a, b) => a - b));

    expectKeyNeverInUrl(watched, account.apiKey);
    // The browser notes the refused stream itself; the page has no error of its own.
    expectNoErrors(watched, [/ERR_CONNECTION_REFUSED/]);
  });
});

/** The stream's events up to the first one of a running task (complete events only). */
async function firstEventsOf(url: string): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!/"state":"PROGRESS"[^\n]*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    controller.abort();
  }
  return text.slice(0, text.lastIndexOf('\n\n') + 2);
}
