import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../../common/app-error';
import {
  DEFAULT_QUESTIONNAIRE,
  dissatisfiedLevelKeys,
  parseQuestionnaireYaml,
  questionnaireProblems,
  ratingOf,
  validateAnswers,
  type Questionnaire,
  type QuestionnaireProblem,
} from './questionnaire';

const FIXTURE = join(__dirname, '../../../test/fixtures/survey/questionnaire.yaml');

function problemsOf(text: string): QuestionnaireProblem[] {
  try {
    parseQuestionnaireYaml(text, 'q.yaml');
  } catch (e) {
    if (e instanceof AppError && e.code === ErrorCode.QuestionnaireInvalid) return e.details!.errors as QuestionnaireProblem[];
    throw e;
  }
  throw new Error('expected QuestionnaireInvalid');
}

const MINIMAL = `key: mini
title: 内部客户满意度调查问卷
version: 1
scale:
  levels:
    - { key: satisfied, label: 满意, satisfied: true, points: 5 }
    - { key: neutral, label: 一般, satisfied: false, points: 4 }
    - { key: dissatisfied, label: 不满意, satisfied: false, points: 0 }
items:
  - { key: finance, label: 财务部 }
questions: []
`;

describe('DEFAULT_QUESTIONNAIRE', () => {
  it('has the nine service items of 000 4.3 and the 5-level scale with two satisfied levels', () => {
    expect(DEFAULT_QUESTIONNAIRE.items.map((i) => i.label)).toEqual([
      '秩序维护',
      '道路交通与停车',
      '清洁与垃圾',
      '绿化与消杀',
      '供水供电',
      '电梯',
      '日常维修与服务态度',
      '社区文化与会所',
      '投诉处理',
    ]);
    expect(DEFAULT_QUESTIONNAIRE.scale.levels.map((l) => [l.label, l.satisfied])).toEqual([
      ['非常满意', true],
      ['满意', true],
      ['一般', false],
      ['不满意', false],
      ['非常不满意', false],
    ]);
    expect(DEFAULT_QUESTIONNAIRE.questions).toEqual([{ key: 'other', label: '其他意见或建议', kind: 'text', maxLength: 500 }]);
    expect(questionnaireProblems({ questionnaire: DEFAULT_QUESTIONNAIRE })).toEqual([]);
    expect(Object.isFrozen(DEFAULT_QUESTIONNAIRE.items[0])).toBe(true);
  });

  it('is exactly what test/fixtures/survey/questionnaire.yaml says', () => {
    expect(parseQuestionnaireYaml(readFileSync(FIXTURE, 'utf8'), 'questionnaire.yaml')).toEqual(DEFAULT_QUESTIONNAIRE);
  });

  it('counts 不满意 and 非常不满意 as dissatisfied, not the neutral 一般', () => {
    expect(dissatisfiedLevelKeys({ questionnaire: DEFAULT_QUESTIONNAIRE })).toEqual(['dissatisfied', 'veryDissatisfied']);
    const three = parseQuestionnaireYaml(MINIMAL);
    expect(dissatisfiedLevelKeys({ questionnaire: three })).toEqual(['dissatisfied']);
    const explicit: Questionnaire = {
      ...three,
      scale: { levels: three.scale.levels.map((l) => ({ ...l, dissatisfied: l.key !== 'satisfied' })) },
    };
    expect(dissatisfiedLevelKeys({ questionnaire: explicit })).toEqual(['neutral', 'dissatisfied']);
  });
});

describe('parseQuestionnaireYaml', () => {
  it('reads a 3-level scale with points (004 第四篇)', () => {
    const q = parseQuestionnaireYaml(MINIMAL);
    expect(q.scale.levels.map((l) => l.points)).toEqual([5, 4, 0]);
  });

  it('points at the line and column of every problem, all at once', () => {
    const text = `key: bad key
title: 调查表
version: 0
scale:
  levels:
    - { key: good, label: 满意, satisfied: false, points: 5 }
    - { key: good, label: 很好, satisfied: true }
items:
  - { key: lift, label: 电梯, grop: 工程 }
questions:
  - { key: other, label: 其他, kind: number }
`;
    const problems = problemsOf(text);
    const where = (path: string) => problems.filter((p) => p.path === path).map((p) => [p.line, p.column, p.message]);
    expect(where('key')).toEqual([[1, 6, expect.stringContaining('must start with a letter')]]);
    expect(where('version')).toEqual([[3, 10, expect.stringContaining('must be >= 1')]]);
    expect(where('items.0.grop')).toEqual([[9, 29, expect.stringContaining("unknown key 'grop'. Did you mean 'group'?")]]);
    expect(where('questions.0.kind')).toEqual([[11, 36, expect.stringContaining("must be 'text'")]]);
    expect(where('scale.levels.1.key')).toEqual([[7, 14, expect.stringContaining("duplicate level key 'good'")]]);
    expect(where('scale.levels.1.satisfied')).toEqual([[7, 42, expect.stringContaining('list the levels from best to worst')]]);
    expect(where('scale.levels.1')).toEqual([[7, 7, expect.stringContaining('points are given for 1 of 2 levels')]]);
    expect(problems.every((p) => p.file === 'q.yaml')).toBe(true);
  });

  it('reports YAML syntax and duplicate keys with their position', () => {
    const dup = problemsOf('key: a\nkey: b\n');
    expect(dup[0]).toMatchObject({ line: 2, column: 1, message: expect.stringContaining('duplicate key') });
    const syntax = problemsOf('key: [unclosed\n');
    expect(syntax[0].message).toMatch(/YAML syntax error/);
    expect(problemsOf('- just\n- a list\n')[0].message).toMatch(/must be a map/);
  });

  it('puts every problem in the thrown message as file:line:column', () => {
    try {
      parseQuestionnaireYaml(MINIMAL.replace('title: 内部客户满意度调查问卷\n', ''), 'surveys/mini.yaml');
      throw new Error('expected an error');
    } catch (e) {
      expect((e as AppError).code).toBe(ErrorCode.QuestionnaireInvalid);
      expect((e as AppError).message).toContain("surveys/mini.yaml:1:1: missing 'title'");
    }
  });
});

describe('validateAnswers', () => {
  const questionnaire = DEFAULT_QUESTIONNAIRE;

  it('accepts a complete form, and blanks, which are simply not ratings', () => {
    const answers = { ratings: { elevator: 'satisfied', order: '', traffic: null }, comments: { other: '' } };
    expect(validateAnswers({ questionnaire, answers })).toEqual([]);
    expect(ratingOf({ response: answers, item: 'elevator' })).toBe('satisfied');
    expect(ratingOf({ response: answers, item: 'order' })).toBeUndefined();
    expect(ratingOf({ response: answers, item: 'traffic' })).toBeUndefined();
    expect(ratingOf({ response: answers, item: 'cleaning' })).toBeUndefined();
  });

  it('names each problem by JSON path with a hint', () => {
    const answers = {
      ratings: { elevatr: 'satisfied', elevator: 'satisfed', order: 3 },
      comments: { other: '很'.repeat(501), others: 'x' },
      extra: true,
    };
    expect(validateAnswers({ questionnaire, answers })).toEqual([
      { path: '$.extra', message: expect.stringContaining("unknown field 'extra'") },
      { path: '$.ratings.elevatr', message: expect.stringContaining("unknown item 'elevatr'. Did you mean 'elevator'?") },
      { path: '$.ratings.elevator', message: expect.stringContaining("unknown level 'satisfed'. Did you mean 'satisfied'?") },
      { path: '$.ratings.order', message: expect.stringContaining('must be one of the level keys') },
      { path: '$.comments.other', message: "the text has 501 characters; the limit for '其他意见或建议' is 500" },
      { path: '$.comments.others', message: expect.stringContaining("unknown question 'others'") },
    ]);
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(validateAnswers({ questionnaire, answers: { comments: { other: '𠮷'.repeat(500) } } })).toEqual([]);
  });

  it('refuses answers that are not an object', () => {
    expect(validateAnswers({ questionnaire, answers: 'satisfied' })).toEqual([{ path: '$', message: expect.any(String) }]);
    expect(validateAnswers({ questionnaire, answers: { ratings: ['x'] } })[0].path).toBe('$.ratings');
  });
});
