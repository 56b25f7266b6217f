/**
 * A drill played in a real browser from the /drill page: Debian's Chromium (/usr/bin/chromium)
 * driven by playwright-core — never a downloaded browser. `startDrill` with no config runs its own
 * world (the Kubernetes and GitHub simulators) and the real bot; the `app-only` scenario is started
 * from /drill and played to resolved by clicking as the captain and the SRE with the role picker.
 * The page follows every change live (one document from the first click to resolved), a
 * screenshot is taken mid-rollout (docs/console.png with UPDATE_SCREENSHOTS=1, else a tmp file),
 * and the drill ends on its report.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Drill } from '../../src/drill/drill.ts';
import { DRILL_NAMESPACE, DRILL_USERS } from '../../src/drill/drill-config.ts';
import { click, flash, launchChromium, step } from '../support/console-page.ts';
import { startTestDrill } from '../support/drill.ts';
import { dropTestState, uniqueName } from '../support/services.ts';

// The README's screenshot is rewritten only on request (UPDATE_SCREENSHOTS=1 npm test), so a test run
// leaves the checkout clean; otherwise the picture still gets taken (the page must render) into tmp.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/console.png', import.meta.url))
    : join(tmpdir(), `rc-drill-console-${process.pid}.png`);
const NAME = uniqueName('drillui');

let drill: Drill;
let browser: Browser;

beforeAll(async () => {
  drill = await startTestDrill(NAME);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await drill?.stop();
  await dropTestState(NAME, NAME);
});

const reached = (page: Page, id: string, state: string, timeout = 30_000) =>
  step(page, id)
    .and(page.locator(`[data-state="${state}"]`))
    .waitFor({ timeout });

const loadedOnce = (page: Page) => page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce);

it('plays app-only from /drill by clicking as the captain and the SRE, live without a reload, and ends on the drill report', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1180 } });
  page.on('dialog', (d) => void d.dismiss());
  await page.goto(new URL('/drill', drill.url).toString());
  await page.getByRole('button', { name: 'Start app-only' }).click();
  await page.waitForURL(/\/incidents\/[^/]+$/);
  const incidentId = new URL(page.url()).pathname.split('/').pop()!;
  expect(await page.locator('.banner-drill').count()).toBe(1);
  // Set once; a reload or a navigation would lose it.
  await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
  await expect.poll(() => page.locator('#conn.on').count(), { timeout: 20_000 }).toBe(1);
  // The scenario put the world at its start; hold api's rollout mid-way for the screenshot.
  drill.world.kube.setRolloutBehavior(DRILL_NAMESPACE, 'api', { mode: 'stuck' });

  // Autopilot pauses deploys and proposes the target by itself: both arrive by push.
  await reached(page, 'pause_deploys', 'succeeded');
  await reached(page, 'select_release', 'awaiting_approval');
  expect(await step(page, 'select_release').textContent()).toContain('v1.2.2');

  // The SRE may not approve the target: the same refusal as in Slack, recorded in the thread.
  await page.selectOption('#as', 'oncall_sre');
  await click(page, 'select_release', 'approve');
  expect(await flash(page)).toContain('only the Release Captain may approve `select_release`');
  await page.locator('#thread .kind-action_refused').first().waitFor();

  await page.selectOption('#as', 'release_captain');
  await click(page, 'select_release', 'approve');
  await reached(page, 'select_release', 'succeeded');
  // Autopilot starts the revert; the page shows it running and the thread follows the rollout.
  await reached(page, 'revert_images', 'running');
  await page
    .locator('#thread .progress', { hasText: 'Waiting for deployment "api" rollout to finish' })
    .first()
    .waitFor({ timeout: 20_000 });
  await page.locator('#flash').evaluate((el) => el.classList.remove('show'));
  await page.screenshot({ path: SCREENSHOT });

  drill.world.kube.setRolloutBehavior(DRILL_NAMESPACE, 'api', { mode: 'normal' });
  drill.world.kube.completeRollout(DRILL_NAMESPACE, 'api');
  await reached(page, 'revert_images', 'succeeded');
  expect(drill.world.images()).toEqual({
    api: 'ghcr.io/drill-org/api:v1.2.2',
    web: 'ghcr.io/drill-org/web:v1.2.2',
    worker: 'ghcr.io/drill-org/worker:v1.2.2',
  });

  await page.selectOption('#as', 'oncall_sre');
  await reached(page, 'verify_cutover', 'awaiting_confirmation');
  await click(page, 'verify_cutover', 'confirm', 'error rate back to baseline');
  await reached(page, 'verify_cutover', 'succeeded');
  expect(await step(page, 'verify_cutover').textContent()).toContain(
    `Confirmed by @${DRILL_USERS.oncall_sre}: error rate back to baseline`,
  );
  await reached(page, 'auth_check', 'awaiting_confirmation');
  await click(page, 'auth_check', 'confirm', 'sign-in works');
  await reached(page, 'auth_check', 'succeeded');

  await page.selectOption('#as', 'release_captain');
  await reached(page, 'resume_deploys', 'awaiting_approval');
  await click(page, 'resume_deploys', 'approve');
  await reached(page, 'resume_deploys', 'succeeded');
  expect(drill.world.github.state.workflows.find((w) => w.file === 'deploy.yml')!.state).toBe('active');
  // Resolve needs only the captain's approval (its button is on once deploys are back).
  await step(page, 'resolve').locator('button[data-action="approve"]:not([disabled])').waitFor();
  await click(page, 'resolve', 'approve');
  const report = page.getByRole('link', { name: /The drill report/ });
  await report.waitFor();
  expect(await page.locator('.head').textContent()).toContain('This checklist is closed.');

  // Every change above arrived by push: the same document from the first click to resolved.
  expect(await loadedOnce(page)).toBe(true);
  expect(Number(await page.locator('#live').getAttribute('data-updates'))).toBeGreaterThan(10);
  const snap = await drill.deps.store.get(incidentId);
  expect(snap.incident.state).toBe('resolved');
  expect(snap.steps.get('select_release')?.actor).toBe(DRILL_USERS.release_captain);
  expect(snap.steps.get('verify_cutover')?.actor).toBe(DRILL_USERS.oncall_sre);

  await report.click();
  await page.waitForURL(`**/drill/report/${incidentId}`);
  const text = (await page.locator('pre.report').textContent()) ?? '';
  expect(text).toMatch(/Drill report — passed: every SLA met/);
  expect(text).toContain('**TTD** 3m');
  // /drill now lists the finished drill's report and offers the scenarios again.
  await page.goto(new URL('/drill', drill.url).toString());
  expect(await page.getByRole('link', { name: incidentId }).count()).toBe(1);
  expect(await page.getByRole('button', { name: 'Start app-only' }).count()).toBe(1);
  await page.close();
}, 180_000);
