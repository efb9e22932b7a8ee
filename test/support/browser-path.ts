/** Debian's chromium, the browser the page and print-layout tests drive (override with WF_TEST_BROWSER_PATH). */
export const BROWSER_PATH = process.env.WF_TEST_BROWSER_PATH || '/usr/bin/chromium';
