/** The shapes of a questionnaire, its answers and its problems (see questionnaire.ts). */
/** One level of the rating scale. Levels are listed from best to worst. */
export interface ScaleLevel {
  /** Identifier used in answers, e.g. `satisfied`. */
  readonly key: string;
  /** Printed label, e.g. `满意`. */
  readonly label: string;
  /** Counts towards the satisfaction rate (003 四.(五): 满意等级). */
  readonly satisfied: boolean;
  /**
   * Counts towards the dissatisfaction rate (003 四.(六).1.b: 不满意等级). Optional: when no level
   * of the scale sets it, the levels below the middle of the scale are the dissatisfied ones
   * (see `dissatisfiedLevelKeys`).
   */
  readonly dissatisfied?: boolean;
  /** Points for an average score (004 第四篇: 5 / 4 / 0). All levels or none. */
  readonly points?: number;
}

/** A service item rated on the scale (000 4.3). */
export interface QuestionnaireItem {
  /** Identifier used in answers and JSON paths (`$.ratings.elevator`). */
  readonly key: string;
  readonly label: string;
  /** Heading the item is printed under on the form. */
  readonly group?: string;
  /** Words that tie an owner's written comment to this item in the analysis (e.g. 电梯, 困梯). */
  readonly keywords?: readonly string[];
}

/** A free-text question, e.g. 其他意见或建议. */
export interface QuestionnaireQuestion {
  readonly key: string;
  readonly label: string;
  readonly kind: 'text';
  /** Longest accepted answer in characters (default `DEFAULT_TEXT_MAX_LENGTH`). */
  readonly maxLength?: number;
}

export interface Questionnaire {
  readonly key: string;
  readonly title: string;
  readonly version: number;
  /** Form number printed in the header, e.g. `QP-08-15-F001`. */
  readonly formNo?: string;
  /** Greeting printed above the items. */
  readonly intro?: string;
  readonly scale: { readonly levels: readonly ScaleLevel[] };
  readonly items: readonly QuestionnaireItem[];
  readonly questions: readonly QuestionnaireQuestion[];
}

/**
 * One returned form. A blank rating (missing, `''` or `null`) is not a rating: it is simply
 * absent from every count (DOMAIN.md §1.7, "Blank answers are not ratings").
 */
export interface SurveyAnswers {
  /** Item key → level key. */
  readonly ratings?: Readonly<Record<string, string | null | undefined>>;
  /** Question key → text. */
  readonly comments?: Readonly<Record<string, string | null | undefined>>;
}

/** A returned form, optionally tied to the household it was given to. */
export interface SurveyResponse extends SurveyAnswers {
  readonly householdId?: string;
}

/** A problem in a set of answers, with a JSON path such as `$.ratings.elevator`. */
export interface AnswerError {
  readonly path: string;
  readonly message: string;
}

/** A problem in a questionnaire YAML file. */
export interface QuestionnaireProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path into the YAML, e.g. `items.3.key`. */
  readonly path: string;
  readonly message: string;
}
