/**
 * The web console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core — never a downloaded browser. The bot runs in-process (worker included) on the
 * simulated Kubernetes API with the e2e harness's bad release; no GitHub is configured, so the
 * GitHub steps are skipped with a reason, as a team without a token would.
 *
 * 1. A rollback played by clicking as the captain and the SRE; the page updates live (no reload)
 *    and a screenshot is taken mid-rollout (into tmp: docs/console.png is drill-browser's).
 * 2. Hostile user text is shown as text.
 * 3. Outside drill mode the console is read-only and refuses without CONSOLE_TOKEN.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../src/app/bot.ts';
import { loadConfig } from '../../src/app/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { click, flash, launchChromium, step } from '../support/console-page.ts';
import { createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';

// The picture gets taken (the page must render) into tmp; the README's docs/console.png is the
// drill's, written by drill-browser.test.ts with UPDATE_SCREENSHOTS=1.
const SCREENSHOT = join(tmpdir(), `rc-console-${process.pid}.png`);
const TOKEN = 'browser-test-console-token-0123456789';
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

let h: Harness;
let drill: Bot;
let browser: Browser;
let incidentId: string;

beforeAll(async () => {
  h = await createHarness({ rolloutMs: 300 });
  // No GitHub here: the GitHub steps are skipped in the console, with a reason.
  delete h.env.GITHUB_TOKEN;
  drill = await startBot(loadConfig({ ...h.env, PORT: '0' }), createLogger('silent'), {
    console: { mode: 'drill', pollMs: 250 },
  });
  browser = await launchChromium();
  const started = await h.cli('start', 'v1.2.3', '--as', SRE);
  expect(started.code, started.err).toBe(0);
  incidentId = /started (\S+):/.exec(started.out)?.[1] ?? '';
  expect(incidentId).not.toBe('');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await drill?.stop();
  await h?.close();
});

const base = (bot: Bot) => `http://localhost:${bot.port}`;

async function actAs(page: Page, role: 'release_captain' | 'oncall_sre' | 'database_owner') {
  await page.selectOption('#as', role);
}

describe('drill mode', () => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1180 } });
    page.on('dialog', (d) => void d.dismiss());
  });

  it('plays a rollback by clicking as the captain and the SRE, and the page follows live without a reload', async () => {
    await page.goto(`${base(drill)}/`);
    await page.getByRole('link', { name: incidentId }).click();
    await page.waitForURL(`**/incidents/${incidentId}`);
    // Set once; a reload would lose it.
    await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
    await expect.poll(() => page.locator('#conn.on').count(), { timeout: 20_000 }).toBe(1);

    // select_release ran by itself at start (the worker); its proposal arrives by push.
    await step(page, 'select_release')
      .and(page.locator('[data-state="awaiting_approval"]'))
      .waitFor({ timeout: 60_000 });
    expect(await step(page, 'select_release').textContent()).toContain('Proposed target v1.2.2');

    // The SRE may not approve the target: the same refusal as in Slack, recorded in the thread.
    await actAs(page, 'oncall_sre');
    await click(page, 'select_release', 'approve');
    expect(await flash(page)).toContain('only the Release Captain may approve `select_release`');
    await page.locator('#thread .kind-action_refused').first().waitFor();

    await actAs(page, 'release_captain');
    await click(page, 'select_release', 'approve');
    await step(page, 'select_release').and(page.locator('[data-state="succeeded"]')).waitFor();
    expect(await page.locator('.facts').textContent()).toContain('v1.2.2');
    await click(page, 'pause_deploys', 'skip', 'no GitHub token in this drill: deploys frozen by hand');
    await step(page, 'pause_deploys').and(page.locator('[data-state="skipped"]')).waitFor();

    // Hold api's rollout mid-way so the page can be seen (and photographed) mid-rollout.
    h.kube.setRolloutBehavior(NS, 'api', { mode: 'stuck' });
    await actAs(page, 'oncall_sre');
    await click(page, 'revert_images', 'run');
    await step(page, 'revert_images').and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    await page
      .locator('#thread .progress', { hasText: 'Waiting for deployment "api" rollout to finish' })
      .first()
      .waitFor({ timeout: 60_000 });
    await page.locator('#flash').evaluate((el) => el.classList.remove('show'));
    await page.screenshot({ path: SCREENSHOT });

    h.kube.setRolloutBehavior(NS, 'api', { mode: 'normal' });
    h.kube.completeRollout(NS, 'api');
    await step(page, 'revert_images').and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 60_000 });
    expect(h.images()).toEqual({
      api: 'ghcr.io/valuecanvas/app:v1.2.2',
      web: 'ghcr.io/valuecanvas/web:v1.2.2',
      worker: 'ghcr.io/valuecanvas/worker:v1.2.2',
    });

    await click(page, 'verify_cutover', 'run');
    await step(page, 'verify_cutover')
      .and(page.locator('[data-state="awaiting_confirmation"]'))
      .waitFor({ timeout: 60_000 });
    await click(page, 'verify_cutover', 'confirm', '5xx back to baseline');
    await step(page, 'verify_cutover').and(page.locator('[data-state="succeeded"]')).waitFor();
    expect(await step(page, 'verify_cutover').textContent()).toContain(`Confirmed by @${SRE}: 5xx back to baseline`);

    // Every change above arrived by push: the same document all along.
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(Number(await page.locator('#live').getAttribute('data-updates'))).toBeGreaterThan(5);
    const snap = await drill.container.deps.store.get(incidentId);
    expect(snap.steps.get('select_release')?.actor).toBe(CAPTAIN);
    expect(snap.steps.get('revert_images')?.actor).toBe(SRE);
    expect(snap.incident.targetVersion).toBe('v1.2.2');
  }, 180_000);

  it('shows hostile user text as text', async () => {
    let alerted = false;
    page.on('dialog', () => void (alerted = true));
    await actAs(page, 'release_captain');
    await click(page, 'auth_check', 'skip', HOSTILE);
    await step(page, 'auth_check').and(page.locator('[data-state="skipped"]')).waitFor();
    expect(await step(page, 'auth_check').locator('.detail').textContent()).toBe(`Skipped by @${CAPTAIN}: ${HOSTILE}`);
    expect(await page.locator('#thread').textContent()).toContain(`skipped — ${HOSTILE}`);
    // Nothing was parsed as markup: no injected image or script, and no alert.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('#live script').count()).toBe(0);
    // Reload: the server-rendered page escapes it too.
    await page.reload();
    expect(await step(page, 'auth_check').locator('.detail').textContent()).toBe(`Skipped by @${CAPTAIN}: ${HOSTILE}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(alerted).toBe(false);
  }, 60_000);
});

describe('outside drill mode', () => {
  let web: Bot;

  beforeAll(async () => {
    // The same database and queue, as a production web replica with CONSOLE_TOKEN set.
    web = await startBot(loadConfig({ ...h.env, PORT: '0', CONSOLE_TOKEN: TOKEN }), createLogger('silent'), {
      mode: 'web',
    });
  }, 60_000);

  afterAll(async () => {
    await web?.stop();
  });

  it('refuses without the token and is read-only with it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = `${base(web)}/incidents/${incidentId}`;
    const first = await page.goto(url);
    expect(first?.status()).toBe(401);
    expect(await page.locator('input[name="token"]').count()).toBe(1);
    expect(await page.locator('#step-revert_images').count()).toBe(0);
    expect((await page.request.get(`${base(web)}/api/incidents/${incidentId}`)).status()).toBe(401);

    await page.fill('input[name="token"]', 'a-wrong-token-of-decent-length-123');
    await page.click('button:has-text("Open the console")');
    expect(await page.locator('.error').textContent()).toContain('not right');

    await page.fill('input[name="token"]', TOKEN);
    await page.click('button:has-text("Open the console")');
    await page.waitForURL(`${base(web)}/`);
    await page.goto(url);
    expect(await page.locator('.badge').textContent()).toBe('read-only');
    expect(await page.locator('#as').count()).toBe(0);
    const buttons = page.locator('#live button[data-action]');
    expect(await buttons.count()).toBeGreaterThan(0);
    expect(await page.locator('#live button[data-action]:not([disabled])').count()).toBe(0);

    // Even a hand-made POST from the logged-in page is refused, and nothing changes.
    const before = (await web.container.deps.store.get(incidentId)).steps.get('queue_health')?.state;
    const answer = await page.evaluate(async (id) => {
      const res = await fetch(`/api/incidents/${id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'skip', step: 'queue_health', as: 'release_captain', reason: 'x' }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, incidentId);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('read_only');
    expect((await web.container.deps.store.get(incidentId)).steps.get('queue_health')?.state).toBe(before);
    await page.close();
  }, 60_000);
});
