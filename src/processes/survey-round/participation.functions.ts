/**
 * `participation.checkRound` for `compute:`: whether a round may be surveyed in a stage for a
 * project/phase, by the participation rule table (definitions/rules/participation.yaml), with
 * an optional group CR override (recorded by the caller's audited transition).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../../common/app-error';
import { checkRoundAllowed, loadParticipationRules, type ParticipationRules } from '../../domain/participation';
import type { DomainFunction } from '../../engine/domain-functions';

export const PARTICIPATION_RULES_FILE = join('rules', 'participation.yaml');

/** Reads the rule table, again only when the file changed (process owners edit it live). */
function ruleTableLoader(definitionsDir: string): () => ParticipationRules {
  const file = join(definitionsDir, PARTICIPATION_RULES_FILE);
  let cached: { mtime: number; rules: ParticipationRules } | undefined;
  return () => {
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      throw new AppError(ErrorCode.ExpressionFailed, `the participation rule table is missing: expected ${file}`);
    }
    if (!cached || cached.mtime !== mtime) {
      cached = { mtime, rules: loadParticipationRules({ text: readFileSync(file, 'utf8'), file: PARTICIPATION_RULES_FILE }) };
    }
    return cached.rules;
  };
}

/**
 * `participation.checkRound` with `{ project: <facts>, stage, override? }` → `{ allowed, stage,
 * ruleIds, titles, message?, override? }`. Without project facts (not declared for the
 * project yet) the answer is `{ allowed: true, checked: false }`.
 */
export function participationCheckRound(definitionsDir: string): DomainFunction {
  const rules = ruleTableLoader(definitionsDir);
  return async ({ args }) => {
    if (!args.project || typeof args.project !== 'object') return { allowed: true, checked: false };
    const override = args.override && typeof args.override === 'object' ? (args.override as { by: string; reason: string }) : undefined;
    const result = checkRoundAllowed({ rules: rules(), project: args.project as never, stage: String(args.stage) as never, override });
    return { checked: true, ...result };
  };
}
