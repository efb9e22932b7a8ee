/**
 * Every CSV and XLSX file the product writes goes through here, so a value a person typed (a
 * roster field, a complaint's text, a questionnaire label) is shown as text and never run as a
 * spreadsheet formula (OWASP "CSV injection"): a text starting with `=`, `+`, `-`, `@`, a tab or
 * a carriage return gets a leading single quote, and every CSV field is quoted, so a comma or a
 * line break inside a value cannot shift the columns.
 */
import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text as a spreadsheet shows it, never as a formula: `=1+2` → `'=1+2`; other texts unchanged. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * CSV text for spreadsheets opened by people (UTF-8 with BOM, CRLF): every field quoted, texts
 * neutralised, numbers written as numbers, null and undefined as empty fields.
 */
export function csvForSpreadsheets(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return stringify(
    rows.map((row) => [...row]),
    {
      bom: true,
      quoted: true,
      quoted_empty: true,
      record_delimiter: 'windows',
      cast: { string: (value: string) => neutraliseFormula(value) },
    },
  );
}

/**
 * Makes every cell of the workbook safe before it is written: texts neutralised (rich text run
 * by run), and a formula cell, which no export means to write, refused as a bug.
 */
export function neutraliseWorkbook(workbook: ExcelJS.Workbook): void {
  workbook.eachSheet((sheet) => {
    sheet.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        const value = cell.value;
        if (typeof value === 'string') {
          const safe = neutraliseFormula(value);
          if (safe !== value) cell.value = safe;
        } else if (value && typeof value === 'object' && 'richText' in value && value.richText.length > 0) {
          const [first, ...rest] = value.richText;
          cell.value = { richText: [{ ...first, text: neutraliseFormula(first.text) }, ...rest] };
        } else if (value && typeof value === 'object' && ('formula' in value || 'sharedFormula' in value)) {
          throw new Error(`export cell ${sheet.name}!${cell.address} holds a formula; exports write values only`);
        }
      });
    });
  });
}
