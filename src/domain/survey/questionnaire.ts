/**
 * The questionnaire 《客户意见调查表》 (QP-08-15-F001) as data, written in YAML by a process owner:
 * a rating scale, the service items rated on it, and free-text questions.
 *
 * Scales differ between companies (000/003: 非常满意…非常不满意; 004 第四篇: 满意/一般/不满意 with
 * points 5/4/0; 004 第五篇: 非常同意…非常不同意; 002: 优良…差), so which levels count as satisfied
 * and any points are data, never code (DOMAIN.md §1.7).
 *
 * Pure: no I/O. `parseQuestionnaireYaml` takes the text; reading the file is the caller's job.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { AppError, ErrorCode } from '../../common/app-error';
import { didYouMean } from '../../definitions/did-you-mean.util';
import { isRecord, deepFreeze } from '../../common/objects.util';

export * from './questionnaire.types';
import type { Questionnaire, SurveyAnswers, AnswerError, QuestionnaireProblem } from './questionnaire.types';
export { DEFAULT_TEXT_MAX_LENGTH, QUESTIONNAIRE_SCHEMA, DEFAULT_QUESTIONNAIRE } from './questionnaire.schema';
import { DEFAULT_TEXT_MAX_LENGTH, QUESTIONNAIRE_SCHEMA } from './questionnaire.schema';

const validateShape = new Ajv({ allErrors: true }).compile(QUESTIONNAIRE_SCHEMA);

/**
 * Parses and validates questionnaire YAML; `file` is only used in messages. Throws
 * `QuestionnaireInvalid` listing every problem (file, line, column, path, message) at once;
 * returns a frozen questionnaire otherwise.
 */
export function parseQuestionnaireYaml(text: string, file = 'questionnaire.yaml'): Questionnaire {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const problems: QuestionnaireProblem[] = [];
  const at = (offset: number | undefined, path: readonly (string | number)[], message: string): void => {
    const pos = lineCounter.linePos(offset ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, path: path.join('.'), message });
  };

  for (const e of doc.errors) {
    at(
      e.pos[0],
      [],
      e.code === 'DUPLICATE_KEY' ? 'duplicate key: each key may appear only once in the same map' : `YAML syntax error: ${e.message.split('\n')[0]}`,
    );
  }
  if (problems.length) throw invalid(file, problems);

  const data: unknown = doc.toJS();
  if (!isRecord(data)) {
    at(0, [], 'the file must be a map with key, title, version, scale, items and questions');
    throw invalid(file, problems);
  }
  if (!validateShape(data)) {
    for (const e of validateShape.errors ?? []) {
      const path = pointerToPath(e);
      at(nodeAt(doc, path, e.keyword === 'additionalProperties')?.range?.[0], path, describe(e, path));
    }
  }
  for (const p of semanticProblems(data)) at(nodeAt(doc, p.path)?.range?.[0], p.path, p.message);
  if (problems.length) throw invalid(file, problems);
  return deepFreeze(data as unknown as Questionnaire);
}

/**
 * Checks a questionnaire built in code (or received as JSON) against the schema and the rules
 * the schema cannot express. Returns the problems as JSON paths; empty when valid.
 */
export function questionnaireProblems({ questionnaire }: { questionnaire: unknown }): AnswerError[] {
  const out: AnswerError[] = [];
  if (!validateShape(questionnaire)) {
    for (const e of validateShape.errors ?? []) {
      const path = pointerToPath(e);
      out.push({ path: jsonPath(path), message: describe(e, path) });
    }
  }
  if (isRecord(questionnaire)) for (const p of semanticProblems(questionnaire)) out.push({ path: jsonPath(p.path), message: p.message });
  return out;
}

/**
 * Checks one set of answers against a questionnaire. Returns every problem with a JSON path:
 * an unknown item, an unknown level, an unknown question, a text longer than the question's
 * limit, a value of the wrong type, an unknown top-level field. A blank rating (`''`, `null`)
 * is not a problem and not a rating: it is simply absent.
 */
export function validateAnswers({ questionnaire, answers }: { questionnaire: Questionnaire; answers: unknown }): AnswerError[] {
  const errors: AnswerError[] = [];
  if (!isRecord(answers)) return [{ path: '$', message: 'answers must be an object with ratings and comments' }];
  for (const key of Object.keys(answers)) {
    if (key !== 'ratings' && key !== 'comments' && key !== 'householdId') {
      errors.push({ path: `$.${key}`, message: `unknown field '${key}': answers have ratings, comments and householdId` });
    }
  }
  if (answers.householdId !== undefined && typeof answers.householdId !== 'string') {
    errors.push({ path: '$.householdId', message: 'householdId must be a string' });
  }
  const itemKeys = questionnaire.items.map((i) => i.key);
  const levelKeys = questionnaire.scale.levels.map((l) => l.key);
  const ratings = answers.ratings;
  if (ratings !== undefined && ratings !== null) {
    if (!isRecord(ratings)) errors.push({ path: '$.ratings', message: 'ratings must be an object of item key → level key' });
    else {
      for (const [item, level] of Object.entries(ratings)) {
        const path = `$.ratings.${item}`;
        if (!itemKeys.includes(item)) {
          errors.push({ path, message: `unknown item '${item}'.${didYouMean(item, itemKeys)} Items: ${itemKeys.join(', ')}` });
          continue;
        }
        if (isBlank(level)) continue;
        if (typeof level !== 'string')
          errors.push({ path, message: `a rating must be one of the level keys ${levelKeys.join(', ')}, not ${JSON.stringify(level)}` });
        else if (!levelKeys.includes(level)) {
          errors.push({ path, message: `unknown level '${level}'.${didYouMean(level, levelKeys)} Levels: ${levelKeys.join(', ')}` });
        }
      }
    }
  }
  const comments = answers.comments;
  if (comments !== undefined && comments !== null) {
    if (!isRecord(comments)) errors.push({ path: '$.comments', message: 'comments must be an object of question key → text' });
    else {
      for (const [key, text] of Object.entries(comments)) {
        const path = `$.comments.${key}`;
        const question = questionnaire.questions.find((q) => q.key === key);
        if (!question) {
          const keys = questionnaire.questions.map((q) => q.key);
          errors.push({ path, message: `unknown question '${key}'.${didYouMean(key, keys)} Questions: ${keys.join(', ') || '(none)'}` });
          continue;
        }
        if (isBlank(text)) continue;
        if (typeof text !== 'string') {
          errors.push({ path, message: 'a comment must be text' });
          continue;
        }
        const limit = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
        const length = Array.from(text).length;
        if (length > limit) errors.push({ path, message: `the text has ${length} characters; the limit for '${question.label}' is ${limit}` });
      }
    }
  }
  return errors;
}

/**
 * The rating of one item in one response, or undefined when it is blank (missing, `''`, `null`).
 */
export function ratingOf({ response, item }: { response: SurveyAnswers; item: string }): string | undefined {
  const value = response.ratings?.[item];
  return isBlank(value) ? undefined : (value as string);
}

/**
 * The keys of the levels counted as dissatisfied (003 四.(六).1.b, 不满意等级).
 *
 * Decision: when any level sets `dissatisfied`, those levels. Otherwise the levels strictly
 * below the middle of the scale (levels are listed best first) that are not satisfied: on the
 * 5-level scale 不满意 and 非常不满意, on 满意/一般/不满意 only 不满意. The neutral 一般 is
 * neither satisfied nor dissatisfied; counting it as dissatisfied would make "highest
 * dissatisfaction" the mirror of "lowest satisfaction", and 003 asks for both.
 */
export function dissatisfiedLevelKeys({ questionnaire }: { questionnaire: Questionnaire }): string[] {
  const levels = questionnaire.scale.levels;
  if (levels.some((l) => l.dissatisfied !== undefined)) return levels.filter((l) => l.dissatisfied).map((l) => l.key);
  const middle = (levels.length - 1) / 2;
  return levels.filter((l, i) => i > middle && !l.satisfied).map((l) => l.key);
}

function semanticProblems(q: Record<string, unknown>): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const duplicates = (list: unknown, path: string[], what: string): void => {
    if (!Array.isArray(list)) return;
    const seen = new Map<string, number>();
    list.forEach((entry, i) => {
      if (!isRecord(entry) || typeof entry.key !== 'string') return;
      const first = seen.get(entry.key);
      if (first === undefined) seen.set(entry.key, i);
      else out.push({ path: [...path, i, 'key'], message: `duplicate ${what} key '${entry.key}' (also entry ${first + 1}): keys must be unique` });
    });
  };
  const levels = isRecord(q.scale) && Array.isArray(q.scale.levels) ? (q.scale.levels as unknown[]).filter(isRecord) : [];
  duplicates(isRecord(q.scale) ? q.scale.levels : undefined, ['scale', 'levels'], 'level');
  duplicates(q.items, ['items'], 'item');
  duplicates(q.questions, ['questions'], 'question');
  if (levels.length >= 2) {
    if (!levels.some((l) => l.satisfied === true))
      out.push({
        path: ['scale', 'levels'],
        message: 'no level has satisfied: true, so no satisfaction rate can be computed; mark the satisfied levels (e.g. 非常满意 and 满意)',
      });
    const firstUnsatisfied = levels.findIndex((l) => l.satisfied !== true);
    levels.forEach((l, i) => {
      if (firstUnsatisfied >= 0 && i > firstUnsatisfied && l.satisfied === true) {
        out.push({
          path: ['scale', 'levels', i, 'satisfied'],
          message: `level '${String(l.label)}' is satisfied but comes after an unsatisfied level: list the levels from best to worst`,
        });
      }
      if (l.satisfied === true && l.dissatisfied === true)
        out.push({ path: ['scale', 'levels', i, 'dissatisfied'], message: `level '${String(l.label)}' cannot be both satisfied and dissatisfied` });
    });
    const withPoints = levels.filter((l) => l.points !== undefined).length;
    if (withPoints > 0 && withPoints < levels.length) {
      const i = levels.findIndex((l) => l.points === undefined);
      out.push({
        path: ['scale', 'levels', i],
        message: `points are given for ${withPoints} of ${levels.length} levels: give points to every level or to none`,
      });
    }
  }
  return out;
}

function invalid(file: string, problems: QuestionnaireProblem[]): AppError {
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.column}${p.path ? ` (${p.path})` : ''}: ${p.message}`);
  return new AppError(ErrorCode.QuestionnaireInvalid, `questionnaire ${file} has ${problems.length} error(s):\n${lines.join('\n')}`, { errors: problems });
}

function pointerToPath(e: ErrorObject): (string | number)[] {
  const path: (string | number)[] =
    e.instancePath === ''
      ? []
      : e.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  return path;
}

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  '': ['key', 'title', 'version', 'formNo', 'intro', 'scale', 'items', 'questions'],
  scale: ['levels'],
  levels: ['key', 'label', 'satisfied', 'dissatisfied', 'points'],
  items: ['key', 'label', 'group', 'keywords'],
  questions: ['key', 'label', 'kind', 'maxLength'],
};

function describe(e: ErrorObject, path: (string | number)[]): string {
  const last = path[path.length - 1];
  const field = path.length ? `'${last}'` : 'the questionnaire';
  switch (e.keyword) {
    case 'additionalProperties': {
      const parent = path.slice(0, -1).filter((p) => typeof p === 'string');
      const allowed = ALLOWED_KEYS[String(parent[parent.length - 1] ?? '')] ?? [];
      return `unknown key ${field}.${didYouMean(String(last), allowed)} Allowed keys: ${allowed.join(', ')}`;
    }
    case 'required':
      return `missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'pattern':
      return `${field} must start with a letter and contain only letters, digits and _ (it is used in answers, e.g. $.ratings.elevator)`;
    case 'const':
      return `${field} must be 'text' (the only kind of free question)`;
    case 'minItems':
      return `${field} needs at least ${(e.params as { limit: number }).limit} entries`;
    case 'type': {
      const type = (e.params as { type: string }).type;
      return `${field} must be ${type === 'array' ? 'a list' : type === 'object' ? 'a map' : type === 'boolean' ? 'true or false' : `a ${type}`}`;
    }
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

function nodeAt(doc: Document, path: readonly (string | number)[], atKey = false): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      node = i === path.length - 1 && atKey ? pair.key : (pair.value ?? pair.key);
      found = node as Node;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
      if (!node) break;
      found = node as Node;
    } else break;
  }
  return found;
}

function jsonPath(path: readonly (string | number)[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}
