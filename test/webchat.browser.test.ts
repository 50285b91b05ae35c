// A person's view: Debian's Chromium opens the page, holds a whole triage in Web Chat (typing, and clicking a
// suggested action), meets the call-now panel when a red flag comes up mid-way, and sees the result card.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser } from './browser.js';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';

const ARTIFACTS = path.resolve(__dirname, '../test-artifacts');
const available = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
if (!available && !process.env.CI) console.warn(`SKIPPING the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const BOT_BUBBLE = '.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content';
const USER_BUBBLE = '.webchat__bubble--from-user .webchat__bubble__content';

describe.skipIf(!available && !process.env.CI)('web chat page in Chromium', () => {
  let srv: ChannelsServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => { [srv, browser] = await Promise.all([startChannelsServer(), launchBrowser({ width: 390, height: 844 })]); });
  afterAll(async () => { await browser?.close(); await srv?.close(); });

  it('holds a whole triage on a phone-sized screen, with the emergency panel on a red flag', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith(srv.url) && !/^(blob|data):/.test(r.url())) problems.push(`off-origin request: ${r.url()}`); });

    const tokenResponse = page.waitForResponse((r) => r.url().endsWith('/api/webchat/token'));
    const response = await page.goto(`${srv.url}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const { conversationId } = (await (await tokenResponse).json()) as { conversationId: string };

    // The emergency line is there before anything else, with a tel: link.
    await expect.poll(() => page.locator('#emergency-line a[href="tel:911"]').isVisible()).toBe(true);
    expect(await page.getByRole('main', { name: /chat/i }).count()).toBe(1);
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.waitFor();
    expect(await input.getAttribute('aria-label') ?? await input.getAttribute('placeholder')).toBeTruthy();
    expect(await page.locator('#call-now').isVisible()).toBe(false);

    const stream = () => srv.channels.directLine!.get(conversationId)!.activities;
    /** The question tag and text of the bot's newest question, once its bubble is on screen. */
    const asked = async (after: number) => {
      const q = await waitFor(() => [...stream()].slice(after).reverse().find((a) => questionOf(a)));
      await page.locator(BOT_BUBBLE, { hasText: q.text!.slice(0, 30) }).last().waitFor();
      return { tag: questionOf(q)!, at: stream().indexOf(q) };
    };
    const type = async (text: string) => {
      await input.fill(text);
      await input.press('Enter');
      await page.locator(USER_BUBBLE, { hasText: text }).last().waitFor();
    };

    const answers: Record<string, string> = {
      medications: 'citalopram 20 mg and tramadol',
      doseChanges: 'started tramadol 3 days ago',
      symptoms: 'shaking, sweating and my muscles keep twitching',
    };
    let q = await asked(0);
    let clicked = false;
    let redFlagged = false;
    for (let turn = 0; turn < 12 && q.tag !== 'restart'; turn++) {
      if (q.tag === 'symptoms' && !redFlagged) {
        // A red flag typed instead of an answer: the call-now panel must appear in that same turn.
        redFlagged = true;
        await type('my husband is having a seizure');
        await page.locator('#call-now').waitFor({ state: 'visible' });
        expect(await page.locator('#call-now-link').getAttribute('href')).toBe('tel:911');
      } else if (q.tag === 'temperature') {
        clicked = true;
        await page.locator('.webchat__suggested-action', { hasText: 'Not sure' }).click();
        await page.locator(USER_BUBBLE, { hasText: 'Not sure' }).last().waitFor();
      } else {
        await type(answers[q.tag] ?? 'no');
      }
      q = await asked(q.at + 1);
    }
    expect(redFlagged && clicked).toBe(true);
    expect(q.tag).toBe('restart');
    // The result card (Adaptive Card) is shown, and the emergency panel stays up.
    const card = page.locator('.ac-adaptiveCard').last();
    await card.waitFor();
    expect(await card.innerText()).toMatch(/911/);
    expect(await page.locator('#call-now').isVisible()).toBe(true);
    expect(await page.locator('text=Send failed').count()).toBe(0);
    // Usable on a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-triage.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
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

