/**
 * Renders the 工作台 pages: one Handlebars environment of its own (HTML-escaping on, as in
 * every Handlebars template here), the layout around every page, the field partial.
 */
import Handlebars from 'handlebars';
import type { Actor } from '../compiler/process-machine.contract';
import { RELATED_PARTIAL, STEP_BAR_PARTIAL, TRAIL_EXPORTS_PARTIAL } from './views/case-extras.view';
import { FIELD_PARTIAL, LAYOUT } from './views/layout.view';
import * as BASE_PAGES from './views/pages.view';
import * as REPORT_PAGES from './views/reports.view';
import { NOTICES, REMINDER_PARTIAL } from './views/notices.view';
import { ASSIGNMENT_PARTIAL, CARD_ASSIGNMENT_PARTIAL, CARD_COPY_PARTIAL } from './views/assignment.view';

const PAGES = { ...BASE_PAGES, ...REPORT_PAGES, NOTICES };

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerPartial('field', FIELD_PARTIAL);
hbs.registerPartial('caseStepBar', STEP_BAR_PARTIAL);
hbs.registerPartial('caseRelated', RELATED_PARTIAL);
hbs.registerPartial('trailExports', TRAIL_EXPORTS_PARTIAL);
// People as assignees (claim, transfer, reassign) and copies (抄送).
hbs.registerPartial('assignment', ASSIGNMENT_PARTIAL);
hbs.registerPartial('cardAssignment', CARD_ASSIGNMENT_PARTIAL);
hbs.registerPartial('cardCopy', CARD_COPY_PARTIAL);
// 催办 on the case page (web-notices.controller.ts).
hbs.registerPartial('reminder', REMINDER_PARTIAL);

const layout = hbs.compile(LAYOUT, { strict: false });
const pages = Object.fromEntries(Object.entries(PAGES).map(([name, text]) => [name, hbs.compile(text)])) as Record<
  keyof typeof PAGES,
  HandlebarsTemplateDelegate
>;

export type PageName = keyof typeof PAGES;

/** Names of the platform roles for people. */
const PLATFORM_ROLE_TITLES: Record<string, string> = { admin: '系统管理员', auditor: '审计员', process_owner: '流程负责人' };

export interface PageFrame {
  readonly title: string;
  readonly actor?: Actor;
  /** The person's display name, when the user has one (else the login id is shown). */
  readonly displayName?: string;
  readonly csrf?: string;
  /** Titles of process roles (from the definitions), by role name. */
  readonly roleTitles?: Readonly<Record<string, string>>;
  readonly current?: string;
}

/** The one navigation; audit only for those the access policy lets read across cases. */
function navFor(actor: Actor, current: string | undefined) {
  const items = [
    { href: '/app', label: '我的待办' },
    { href: '/app/new', label: '发起' },
    { href: '/app/notices', label: '通知' },
    { href: '/app/complaints', label: '投诉' },
    { href: '/app/surveys', label: '满意度调研' },
    { href: '/app/audit', label: '审计' },
    { href: '/app/definitions', label: '流程定义' },
  ];
  return items.map((i) => ({ ...i, current: i.href === current }));
}

export function renderPage(name: PageName, frame: PageFrame, data: Record<string, unknown>): string {
  const body = pages[name](data);
  const user = frame.actor
    ? {
        name: frame.displayName ?? frame.actor.id,
        login: frame.actor.id,
        roles: frame.actor.roles.map((r) => PLATFORM_ROLE_TITLES[r] ?? frame.roleTitles?.[r] ?? r),
      }
    : undefined;
  return layout({ title: frame.title, body, user, csrf: frame.csrf, nav: frame.actor ? navFor(frame.actor, frame.current) : [] });
}
