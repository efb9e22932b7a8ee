/**
 * Participation and assessment rules (参与调研 / 参与考核判定, 002 §2.1–2.2, DOMAIN.md §5).
 *
 * A decision table in YAML (`definitions/rules/participation.yaml`, documented in its header)
 * says, for a project/phase, which survey stages (准1, 准2, 磨1, 磨2, 稳定期, 老业主) are surveyed and
 * which are assessed (考核). Its inputs are the project's product type, brand use, completed-home
 * sale (现房), the company's roles (lead 操盘; sales, delivery, after-delivery service, property
 * service, each none / participates 参与 / responsible 负责) and, for an acquired project (收并购),
 * the closing date and the contractual delivery date.
 *
 * Format in one breath: `productTypes` (vocabulary), `fallback.survey` / `fallback.assess` (the
 * rule ids that decide a stage no row includes), and `rules`, each `{ id, title, source?, when?,
 * then: { survey?, assess?, stages? } }`. `when` is a map of fact tests (and), with `any:` for or;
 * tests are equality, `{ in }`, `{ notIn }`, booleans and date comparisons
 * (`{ onOrBefore: { field, months } }`); assessment rows may also test `stageSurveyed` and
 * `anyStageAssessed` (earlier stages). Exclusions win over inclusions; inclusions over the
 * fallback; survey is decided before assessment, and assessment stage by stage in order.
 *
 * API:
 * - `loadParticipationRules({ text, file })` → frozen `ParticipationRules`, or throws
 *   `ParticipationRulesInvalid` with every problem at file:line:column.
 * - `decideParticipation({ rules, project })` → `{ surveyed, assessed, reasons }`, each reason
 *   naming the rule ids and titles that decided the stage.
 * - `checkRoundAllowed({ rules, project, stage, override? })` → allowed, or refused naming the
 *   excluding rules; a group CR `override: { by, reason, assess? }` allows it and is returned
 *   for the caller to audit. `assertRoundAllowed` throws `StageNotParticipating` instead.
 */
export * from './participation.types';
export { loadParticipationRules, PARTICIPATION_RULES_SCHEMA, type ParticipationRulesProblem } from './participation-rules';
export { assertRoundAllowed, checkRoundAllowed, decideParticipation, projectFactsProblems, type ProjectFactsProblem } from './participation';
export { isCalendarDate, shiftDate } from './month-date.util';
