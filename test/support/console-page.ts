/**
 * The web console in Debian's Chromium (playwright-core, never a downloaded browser): the launch
 * and the clicks both browser tests make.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Launches /usr/bin/chromium, or fails saying what to install. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (.ci/run does). They drive it with playwright-core and never download a browser.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

export const step = (page: Page, id: string) => page.locator(`#step-${id}`);

/** Clicks a step's button; a dialog (reason, note) is filled with `text` and confirmed. */
export async function click(page: Page, id: string, action: string, text?: string): Promise<void> {
  await step(page, id).locator(`button[data-action="${action}"]`).click();
  if (text !== undefined) {
    await page.locator('#ask-text').fill(text);
    await page.locator('#ask-ok').click();
  }
}

/** The console's flash message, once shown. */
export async function flash(page: Page): Promise<string> {
  await page.locator('#flash.show').waitFor();
  return (await page.locator('#flash').textContent()) ?? '';
}
