/**
 * Headless Chromium for the page and print-layout tests: Debian's package driven by
 * playwright-core, with the flags this kind of machine needs (its network is closed, so
 * background networking is off). `describeBrowser` skips a suite where no browser is installed
 * (the global set-up says so loudly and `.ci/run` refuses to skip).
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BROWSER_PATH } from './browser-path';

export const BROWSER_AVAILABLE = process.env.WF_TEST_BROWSER === '1';

export const describeBrowser: jest.Describe = BROWSER_AVAILABLE ? describe : describe.skip;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: BROWSER_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page that records every console error and uncaught page error; `assertClean()` fails the
 * test when any occurred (every page test calls it).
 */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[]; assertClean: () => void }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return {
    page,
    errors,
    assertClean: () => expect(errors).toEqual([]),
  };
}
