import { loadDefinition } from './definition-loader';
import { fillSummary } from './definition-summary';

const yaml = (summary: string) => `key: repair
title: 报修
summary: '${summary}'
roles: { clerk: { title: 办理人 } }
start: { roles: [clerk] }
context:
  type: object
  properties:
    unit: { type: string }
    content: { type: string }
    department: { type: string }
initial: open
states:
  open:
    on:
      finish: { roles: [clerk], target: done }
  done: { type: final }
`;

describe('summary: the one-line summary a definition declares', () => {
  it('is kept when every placeholder names a context field', () => {
    const result = loadDefinition(yaml('{unit} {content} — {department}'), { file: 'repair.yaml' });
    expect(result.ok && result.definition.summary).toBe('{unit} {content} — {department}');
  });

  it('refuses a placeholder that is not a context field, at the summary line, with a suggestion', () => {
    const result = loadDefinition(yaml('{unti} {content}'), { file: 'repair.yaml' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.objectContaining({ file: 'repair.yaml', line: 3, message: expect.stringContaining("did you mean '{unit}'?") })]);
  });

  it('fills the placeholders, leaving empty ones and a dangling separator out', () => {
    const show = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    expect(fillSummary('{unit} {content} — {department}', { unit: '3栋502', content: '电梯异响', department: '工程部' }, show)).toBe(
      '3栋502 电梯异响 — 工程部',
    );
    expect(fillSummary('{unit} {content} — {department}', { unit: '3栋502', content: '电梯异响' }, show)).toBe('3栋502 电梯异响');
  });
});
