// A person's view: Debian's Chromium opens the page on a phone-sized screen (390×844) and holds whole checks in Web
// Chat: typed answers, clicked suggested actions, the emergency screen answered with a button, the result's level and
// headline in view without scrolling, tel: links in the result card, the call-now panel on a red flag and gone after
// "start over", and a Spanish check from greeting to result.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser } from './browser.js';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';

const ARTIFACTS = path.resolve(__dirname, '../test-artifacts');
const available = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
if (!available && !process.env.CI) console.warn(`SKIPPING the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const BOT_BUBBLE = '.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content';
const USER_BUBBLE = '.webchat__bubble--from-user .webchat__bubble__content';

interface StreamActivity { type: string; text?: string; name?: string; value?: { level?: string; headline?: string; locale?: string }; channelData?: unknown; from?: { role?: string } }

describe.skipIf(!available && !process.env.CI)('web chat page in Chromium', () => {
  let srv: ChannelsServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => { [srv, browser] = await Promise.all([startChannelsServer(), launchBrowser({ width: 390, height: 844 })]); });
  afterAll(async () => { await browser?.close(); await srv?.close(); });

  /** Opens the page and follows its conversation: what the bot asked, typing, clicking. */
  async function open(query = '') {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith(srv.url) && !/^(blob|data):/.test(r.url())) problems.push(`off-origin request: ${r.url()}`); });
    const tokenResponse = page.waitForResponse((r) => r.url().endsWith('/api/webchat/token'));
    const response = await page.goto(`${srv.url}/${query}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const { conversationId } = (await (await tokenResponse).json()) as { conversationId: string };
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.waitFor();
    const stream = () => srv.channels.directLine!.get(conversationId)!.activities as StreamActivity[];
    /** The question tag and text of the bot's newest question after `after`, once its bubble is on screen. */
    const asked = async (after: number) => {
      const q = await waitFor(() => [...stream()].slice(after).reverse().find((a) => questionOf(a)));
      await page.locator(BOT_BUBBLE, { hasText: q.text!.slice(0, 30) }).last().waitFor();
      return { tag: questionOf(q)!, at: stream().indexOf(q), text: q.text! };
    };
    const type = async (text: string) => {
      await input.fill(text);
      await input.press('Enter');
      await page.locator(USER_BUBBLE, { hasText: text }).last().waitFor();
    };
    const click = async (title: string) => {
      await page.locator('.webchat__suggested-action', { hasText: title }).first().click();
      await page.locator(USER_BUBBLE, { hasText: title }).last().waitFor();
    };
    const results = () => stream().filter((a) => a.type === 'event' && a.name === 'triage.result');
    return { page, problems, stream, asked, type, click, results };
  }

  /** The result's headline is on screen without scrolling: inside the transcript's visible part and the window. */
  async function headlineInView(page: Page, headline: string): Promise<void> {
    const block = page.locator('.ac-adaptiveCard').last().locator('.ac-textBlock', { hasText: headline.slice(0, 25) }).first();
    await block.waitFor();
    await expect.poll(() => block.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const scroller = el.closest('.webchat__basic-transcript__scrollable') ?? document.scrollingElement!;
      const v = scroller.getBoundingClientRect();
      return window.scrollY === 0 && r.top >= v.top && r.bottom <= v.bottom && r.bottom <= window.innerHeight;
    }), { timeout: 5000 }).toBe(true);
  }

  it('holds a check to a calm result: a clicked reply, the emergency screen answered with a button, the headline in view, tel: links', async () => {
    const { page, problems, asked, type, click, results } = await open();
    await expect.poll(() => page.locator('#emergency-line a[href="tel:911"]').isVisible()).toBe(true);
    expect(await page.getByRole('main', { name: /chat/i }).count()).toBe(1);
    expect(await page.locator('#call-now').isVisible()).toBe(false);

    const answers: Record<string, string> = {
      medications: 'sertraline 50 mg and tramadol', doseChanges: 'started tramadol 2 days ago',
      symptoms: 'shaking and sweating since this morning',
    };
    let q = await asked(0);
    let clicked = false;
    let screened = false;
    for (let turn = 0; turn < 12 && q.tag !== 'restart'; turn++) {
      if (q.tag === 'screen') {
        // One message, every sign a quick reply: answered with a button.
        expect(await page.locator('.webchat__suggested-action', { hasText: 'Heavy bleeding' }).count()).toBe(1);
        screened = true;
        await click('None of these');
      } else if (answers[q.tag]) {
        await type(answers[q.tag]!);
      } else {
        clicked = true;
        await click('Not sure');
      }
      q = await asked(q.at + 1);
    }
    expect(screened && clicked).toBe(true);
    expect(q.tag).toBe('restart');
    const result = results().at(-1)!.value!;
    expect(result.level).toBe('urgent');
    // The transcript shows the top of the result, not its end: level and headline in view on the phone.
    await headlineInView(page, result.headline!);
    const card = page.locator('.ac-adaptiveCard').last();
    expect(await card.locator('a[href^="tel:"]').count()).toBeGreaterThan(0);
    expect(await card.locator('a[href="tel:911"]').first().textContent()).toBe('911');
    expect(await page.locator('#call-now').isVisible()).toBe(false);
    expect(await page.locator('text=Send failed').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-result.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows the call-now panel on a red flag typed mid-way, keeps it, and takes it down on "start over"', async () => {
    const { page, problems, asked, type } = await open();
    let q = await asked(0);
    await type('citalopram 20 mg and tramadol');
    q = await asked(q.at + 1);
    expect(q.tag).toBe('doseChanges');
    // A red flag typed instead of an answer: the call-now panel appears in that same turn.
    await type('my husband is having a seizure');
    await page.locator('#call-now').waitFor({ state: 'visible' });
    expect(await page.locator('#call-now-link').getAttribute('href')).toBe('tel:911');
    // The emergency card, with its numbers as links, and the interrupted question asked again.
    q = await asked(q.at + 1);
    expect(q.tag).toBe('doseChanges');
    expect(await page.locator('.ac-adaptiveCard').last().locator('a[href="tel:911"]').count()).toBeGreaterThan(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-triage.png'), fullPage: true });
    await type('start over');
    await page.locator('#call-now').waitFor({ state: 'hidden' });
    q = await asked(q.at + 1);
    expect(q.tag).toBe('medications');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('holds a Spanish check from greeting to result card', async () => {
    const { page, problems, stream, asked, type, click, results } = await open('?locale=es-US');
    await expect.poll(() => page.locator('#emergency-line').innerText()).toMatch(/En una emergencia/);
    let q = await asked(0);
    const greeting = stream().find((a) => a.type === 'message' && a.from?.role === 'bot')!;
    expect(greeting.text).toMatch(/^Hola/);
    await page.locator(BOT_BUBBLE, { hasText: 'Hola' }).first().waitFor();
    const answers: Record<string, string> = {
      medications: 'sertralina 50 mg', doseChanges: 'ninguno', symptoms: 'me duele un poco la cabeza',
    };
    let screened = false;
    for (let turn = 0; turn < 12 && q.tag !== 'restart'; turn++) {
      expect(q.text, q.tag).not.toMatch(/\b(?:Which|What|When|Please|Before I give you|Did you mean)\b/);
      if (q.tag === 'screen') {
        screened = true;
        await click('Ninguna de estas');
      } else await type(answers[q.tag] ?? 'no sé');
      q = await asked(q.at + 1);
    }
    expect(screened).toBe(true);
    expect(q.tag).toBe('restart');
    const result = results().at(-1)!.value!;
    expect(result.locale).toBe('es-US');
    await headlineInView(page, result.headline!);
    const card = page.locator('.ac-adaptiveCard').last();
    expect(await card.innerText()).toMatch(/Vigilar en casa|Hable con su médico|Urgente/);
    expect(await card.innerText()).toMatch(/Esto no es un diagnóstico/);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

function questionOf(a: { channelData?: unknown; from?: { role?: string } }): string | undefined {
  return a.from?.role === 'bot' ? (a.channelData as { triage?: { question?: string } } | undefined)?.triage?.question : undefined;
}

async function waitFor<T>(fn: () => T | undefined, ms = 15_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = fn();
    if (v !== undefined) return v;
  }
  throw new Error('timed out waiting for the bot');
}
