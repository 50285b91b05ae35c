// The staff page in Debian's Chromium at tablet size: log in, see a new emergency appear without reloading, open it,
// review it with a note, download its FHIR Bundle; axe-core finds no serious or critical accessibility violations.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser } from './browser.js';
import { addStaff, EMERGENCY_BODY, MILD_BODY, startRecordsServer, type RecordsServer } from './records-helpers.js';

const ARTIFACTS = path.resolve(__dirname, '../test-artifacts');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) console.warn(`SKIPPING the staff page browser test: no Chromium at ${CHROMIUM}`);

/** axe-core run in the page (through the debugging protocol, so the page's CSP stays as it is). */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } })
      .axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

describe.skipIf(!available && !process.env.CI)('staff page in Chromium', () => {
  let srv: RecordsServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let password: string;
  beforeAll(async () => {
    [srv, browser] = await Promise.all([startRecordsServer({ INTAKE_CENTRES: 'north=North Recovery Centre' }), launchBrowser({ width: 820, height: 1180 })]);
    ({ password } = await addStaff(srv.records, 'sam', { admin: true }));
  });
  afterAll(async () => { await browser?.close(); await srv?.close(true); });

  it('logs in, shows a new emergency live, opens it, reviews it and downloads its FHIR Bundle', { timeout: 90_000 }, async () => {
    // localhost, not 127.0.0.1: Chromium keeps Secure cookies on http only for localhost.
    const base = srv.url.replace('127.0.0.1', 'localhost');
    const page = await browser.context.newPage();
    const problems: string[] = [];
    // Chromium logs every 401 it receives; the page gets two on purpose (before logging in, and the wrong password).
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`off-origin request: ${r.url()}`); });

    await srv.request('POST', '/api/assess', { body: { ...MILD_BODY, record: true } });
    const response = await page.goto(`${base}/staff`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('Name').waitFor();
    expect(await axe(page)).toEqual([]);

    await page.getByLabel('Name').fill('sam');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/Wrong name or password/);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Records' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('North Recovery Centre');
    await page.locator('#live-state', { hasText: 'Live' }).waitFor();
    expect(await page.locator('#queue-body tr').count()).toBe(1);
    expect(await axe(page)).toEqual([]);

    // A new emergency arrives while the page is open: it appears at the top, announced, without reloading.
    const res = await srv.request('POST', '/api/assess', { body: { ...EMERGENCY_BODY, record: true, client: { reference: 'MRN-7' } } });
    const { record: { ref } } = (await res.json()) as { record: { ref: string } };
    const row = page.locator(`#queue-body tr[data-ref="${ref}"]`);
    await row.waitFor({ timeout: 5_000 });
    expect(await page.locator('#queue-body tr').first().getAttribute('data-ref')).toBe(ref);
    expect(await row.textContent()).toMatch(/Emergency.*seizure/);
    await expect.poll(() => page.locator('#announce').textContent()).toBe(`New Emergency record ${ref}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-queue.png'), fullPage: true });

    await page.getByRole('link', { name: `Open record ${ref}` }).click();
    await page.getByRole('heading', { name: `Record ${ref}` }).waitFor();
    const detail = await page.locator('#detail-body').textContent();
    expect(detail).toContain(EMERGENCY_BODY.symptoms);
    expect(detail).toContain('citalopram');
    expect(detail).toMatch(/Knowledge version/);
    expect(detail).toMatch(/seizure/);
    expect(detail).not.toMatch(/null|undefined/);
    expect(await axe(page)).toEqual([]);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Download FHIR/ }).click();
    const file = await (await download).path();
    const bundle = JSON.parse(readFileSync(file!, 'utf8')) as { resourceType: string; type: string; entry: { resource: { resourceType: string } }[] };
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry.map((e) => e.resource.resourceType)).toContain('Flag');

    await page.getByLabel('Review note').fill('Phoned, ambulance on the way.');
    await page.getByRole('button', { name: 'Mark reviewed' }).click();
    await page.locator('#detail-body', { hasText: 'Phoned, ambulance on the way.' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-detail.png'), fullPage: true });
    const stored = (await srv.records.store.get('north', ref))!;
    expect(stored.status).toBe('reviewed');
    expect(stored.reviews).toEqual([expect.objectContaining({ by: 'sam', note: 'Phoned, ambulance on the way.' })]);
    expect((await srv.records.audit.list({ ref })).map((e) => e.action)).toEqual(expect.arrayContaining(['read', 'export', 'review']));

    await page.getByRole('button', { name: 'Back to the queue' }).click();
    await page.getByRole('heading', { name: 'Records' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Name').waitFor();
    expect(problems).toEqual([]);
  });
});
