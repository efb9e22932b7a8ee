/**
 * Every template in `templates/`, rendered with long realistic Chinese values
 * (test/fixtures/documents/long-values.ts), printed to A4 in headless Chromium and measured:
 *
 * - in the page at the A4 print width (210mm less the 15mm margins): no table is wider than the
 *   page, no cell's content runs out of its cell (a label overprinting its value, a column header
 *   over its neighbour), and no column header or service-item name wraps to more than two lines;
 * - in the PDF (poppler's pdftotext, page by page): no heading is among the last three lines of
 *   a page with its text on the next, no page holds only a sheet's footer, and the forms meant for one sheet fit one (two for the two-copy slip).
 *
 * Set WF_PRINT_DIR to keep the PDFs (then `pdftoppm -png -r 60` them to look at the pages).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { TemplateCatalog } from '../../src/documents/template-catalog';
import { LONG_VALUES } from '../fixtures/documents/long-values';
import { describeBrowser, launchBrowser, watchedPage } from '../support/browser';
import { REPO_ROOT } from '../support/databases';

const catalog = TemplateCatalog.fromDirectory(join(REPO_ROOT, 'templates'));
/** 210mm − 2 × 15mm at CSS's 96 px per inch. */
const A4_CONTENT_WIDTH_PX = Math.floor((180 / 25.4) * 96);
/** Forms that must fit a fixed number of A4 pages with the long values. */
const EXPECTED_PAGES: Readonly<Record<string, number>> = {
  'service-complaint-slip': 2,
  'complaint-monthly-report': 1,
  'manager-service-card': 1,
  'pause-application': 1,
  'exclusion-application': 1,
  'survey-notice': 1,
};

interface LayoutProblem {
  readonly kind: string;
  readonly text: string;
}

/**
 * Runs in the page (plain JavaScript: the project compiles without the DOM library). Boxes are
 * read at the A4 print width with print media: tables and any element past the page's right
 * edge, cells whose content is wider than the cell, labels on more than two lines, long texts in
 * narrow columns.
 */
const MEASURE = `(pageWidth) => {
  const MIN_TEXT_COLUMN_PX = (25 / 25.4) * 96;
  const out = [];
  const short = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
  };
  for (const table of document.querySelectorAll('table')) {
    const box = table.getBoundingClientRect();
    if (box.right > pageWidth + 0.5 || table.scrollWidth > pageWidth + 0.5) out.push({ kind: 'table wider than the page', text: short(table) });
  }
  for (const cell of document.querySelectorAll('th, td')) {
    if (cell.scrollWidth > cell.clientWidth + 1) out.push({ kind: 'content runs out of its cell', text: short(cell) });
    // A long text squeezed into a narrow column reads as a column of two or three characters.
    if (cell.classList.contains('text') && (cell.textContent || '').trim().length > 40 && cell.getBoundingClientRect().width < MIN_TEXT_COLUMN_PX)
      out.push({ kind: 'long text in a column narrower than 25mm', text: short(cell) });
    if ((cell.tagName === 'TH' || cell.classList.contains('item')) && lines(cell) > 2) out.push({ kind: 'label wraps to more than two lines', text: short(cell) });
  }
  for (const el of document.querySelectorAll('.sheet-body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > pageWidth + 0.5) out.push({ kind: el.tagName.toLowerCase() + ' wider than the page', text: short(el) });
  }
  const headings = [...document.querySelectorAll('h1, h2, h3')].map((h) => (h.textContent || '').trim()).filter(Boolean);
  const footers = [...document.querySelectorAll('.sheet-footer')].map((f) => (f.textContent || '').trim()).filter(Boolean);
  return { problems: out, headings, footers };
}`;

function pdfPages(file: string): string[] {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  return Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-'], { encoding: 'utf8' }),
  );
}

const squash = (s: string) => s.replace(/\s+/g, '');

describeBrowser('printed layout of every template on A4 (headless Chromium)', () => {
  let browser: Browser;
  let context: BrowserContext;
  const outDir = process.env.WF_PRINT_DIR ?? mkdtempSync(join(tmpdir(), 'wf-print-'));

  beforeAll(async () => {
    for (const tool of ['pdfinfo', 'pdftotext']) {
      try {
        execFileSync(tool, ['-v'], { stdio: 'ignore' });
      } catch {
        throw new Error(`${tool} is needed to read the printed pages: apt-get install poppler-utils fonts-wqy-zenhei (as .ci/run does)`);
      }
    }
    mkdirSync(outDir, { recursive: true });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: A4_CONTENT_WIDTH_PX, height: 1000 } });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('has long values for every template, so none escapes the check', () => {
    expect(Object.keys(LONG_VALUES).sort()).toEqual(catalog.names());
  });

  it.each(catalog.names())('%s holds on A4 with long values', async (name) => {
    const { html } = catalog.render(name, LONG_VALUES[name] ?? {});
    const { page, assertClean } = await watchedPage(context);
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    const { problems, headings, footers } = await page.evaluate<{ problems: LayoutProblem[]; headings: string[]; footers: string[] }>(
      `(${MEASURE})(${A4_CONTENT_WIDTH_PX})`,
    );

    const pdf = join(outDir, `${name.replace(/\//g, '_')}.pdf`);
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    await page.close();
    const pages = pdfPages(pdf);
    const found: LayoutProblem[] = [...problems];
    // A heading is left alone when it is the last line of a page or followed there only by a
    // table's header row (at most two more lines), its content going on over the page.
    pages.slice(0, -1).forEach((text, i) => {
      const lines = text.split('\n').filter((l) => l.trim());
      lines.slice(-3).forEach((line) => {
        const heading = headings.find((h) => squash(line) === squash(h));
        if (heading) found.push({ kind: `heading alone at the foot of page ${i + 1}`, text: heading });
      });
    });
    // A sheet's footer (organisation, print time) never fills a page of its own.
    pages.forEach((text, i) => {
      const lines = text.split('\n').filter((l) => l.trim());
      if (lines.length > 0 && lines.every((l) => footers.some((f) => squash(f) === squash(l)))) {
        found.push({ kind: `page ${i + 1} holds nothing but the sheet footer`, text: lines.join(' / ') });
      }
    });
    if (EXPECTED_PAGES[name] !== undefined && pages.length !== EXPECTED_PAGES[name]) {
      found.push({ kind: `printed on ${pages.length} pages, expected ${EXPECTED_PAGES[name]}`, text: pdf });
    }
    expect(found).toEqual([]);
    assertClean();
  });
});
