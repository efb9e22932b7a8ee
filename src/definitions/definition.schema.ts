/**
 * The JSON Schema (draft 2020-12) of the YAML process-definition language.
 *
 * `additionalProperties: false` everywhere: an unknown key is an error, so a misspelt key
 * (`tagret:`) never silently does nothing. Cross-references (targets, roles, rules,
 * expressions, templates) are checked after this, in `definition-loader.ts`.
 * The language is documented for process owners in `definitions/README.md`.
 */

/**
 * Lengths the database columns hold (src/persistence/migrations): a definition's key, a state,
 * event or role name, an actor `varchar(100)`; the definition's title and a template name
 * `varchar(200)`. Every name and title of the language is held to them, so what validates can be
 * stored on PostgreSQL as on SQLite (control characters are refused by the loader, for the whole file).
 */
export const MAX_NAME_LENGTH = 100;
export const MAX_TITLE_LENGTH = 200;
export const MAX_TEMPLATE_NAME_LENGTH = 200;

export const KEY_PATTERN = '^[a-z][a-z0-9-]*$';
export const STATE_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';
/** Event names: like state names, but XState reserves names starting with `xstate`. */
export const EVENT_NAME_PATTERN = '^(?!xstate)[A-Za-z][A-Za-z0-9_]*$';
export const ROLE_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
export const RULE_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';
/** Dotted context path of an assignment: `pause.endsAt`. */
export const ASSIGN_PATH_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$';
export const TEMPLATE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_./-]*$';
/** Schedule names: like state names. */
export const SCHEDULE_NAME_PATTERN = STATE_NAME_PATTERN;

/** Plain-language description of each name pattern, for error messages. */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [KEY_PATTERN]: 'lower-case letters, digits and dashes, starting with a letter (e.g. complaint)',
  [STATE_NAME_PATTERN]: 'letters, digits and _, starting with a letter (e.g. waitingReply)',
  [EVENT_NAME_PATTERN]: "letters, digits and _, starting with a letter, not starting with 'xstate' (e.g. classify)",
  [ROLE_NAME_PATTERN]: 'lower-case letters, digits and _, starting with a letter (e.g. cs_assistant)',
  [ASSIGN_PATH_PATTERN]: 'a context field or a dotted path (e.g. closeReason or pause.endsAt)',
  [TEMPLATE_NAME_PATTERN]: 'a template file name without .hbs (e.g. complaint-record)',
};

const text = { type: 'string', minLength: 1, maxLength: MAX_TITLE_LENGTH };
/** A name of the language (state, event, role, rule, schedule, key, ...). */
const named = (pattern: string, maxLength = MAX_NAME_LENGTH) => ({ type: 'string', pattern, maxLength });
const roleList = { type: 'array', items: named(ROLE_NAME_PATTERN), uniqueItems: true };
/** Definition keys of the processes allowed to send an event (`emit`) or start a case (`start`). */
const keyList = { type: 'array', items: named(KEY_PATTERN), uniqueItems: true };
/** A top-level context field name (a correlation key). */
const FIELD_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** A value: a literal, or a string starting with `=` (an expression). */
const value = {};

export const ACTION_KINDS = ['render', 'post', 'notify', 'cc', 'email', 'emit', 'start'] as const;
/** A map of values (each a literal or an `=` expression), e.g. an event payload. */
const valueMap = { type: 'object', additionalProperties: value };
/** A domain function name: `area.function`, e.g. `complaint.monthlyReport`. */
export const FUNCTION_NAME_PATTERN = '^[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)+$';

export const definitionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://workflow-engine.local/schemas/definition.json',
  title: 'Process definition',
  type: 'object',
  additionalProperties: false,
  required: ['key', 'title', 'roles', 'start', 'initial', 'states'],
  properties: {
    key: named(KEY_PATTERN),
    title: text,
    description: { type: 'string' },
    /** The default of every state's `assignment:` (who may reassign a claimed step). */
    assignment: { $ref: '#/$defs/assignment' },
    /** Working days left at or under which a deadline badge turns yellow (`2 working days`); checked in definition-due-soon.ts. */
    dueSoon: { type: ['string', 'number'] },
    /** One line for cards and lists, `{field}` naming context fields (definition-summary.ts). */
    summary: { type: 'string', minLength: 1, maxLength: 300 },
    roles: {
      type: 'object',
      propertyNames: { pattern: ROLE_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { title: text, description: { type: 'string' } },
      },
    },
    start: {
      type: 'object',
      additionalProperties: false,
      // roles (people) or from (processes), or both: checked by the builder with a plain message.
      properties: { roles: roleList, from: keyList },
    },
    read: {
      type: 'object',
      additionalProperties: false,
      properties: {
        own: roleList,
        all: roleList,
        ownerField: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      },
    },
    personal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        fields: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, uniqueItems: true },
        payload: {
          type: 'object',
          propertyNames: { pattern: STATE_NAME_PATTERN },
          additionalProperties: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, uniqueItems: true },
        },
        clearFor: roleList,
        clearWhen: { type: 'string', pattern: '^=' },
      },
    },
    rules: {
      type: 'object',
      propertyNames: { pattern: RULE_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['value'],
        properties: { value, title: text, description: { type: 'string' } },
      },
    },
    context: { type: 'object' },
    /** Context fields other cases find this case by, with an exact value (`emit … where:`). */
    correlation: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: named(FIELD_NAME_PATTERN) },
    initial: named(STATE_NAME_PATTERN),
    states: { $ref: '#/$defs/states' },
    schedules: {
      type: 'object',
      propertyNames: { pattern: SCHEDULE_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
      additionalProperties: { $ref: '#/$defs/schedule' },
    },
  },
  $defs: {
    schedule: {
      type: 'object',
      additionalProperties: false,
      required: ['every'],
      properties: {
        title: text,
        description: { type: 'string' },
        every: text,
        forEach: value,
        start: {
          type: 'object',
          additionalProperties: false,
          required: ['businessKey'],
          properties: { businessKey: value, context: valueMap },
        },
        send: {
          type: 'object',
          additionalProperties: false,
          required: ['event', 'to'],
          properties: {
            event: named(EVENT_NAME_PATTERN),
            to: value,
            payload: valueMap,
          },
        },
      },
    },
    deadline: {
      type: 'object',
      additionalProperties: false,
      required: ['send'],
      properties: {
        title: text,
        after: text,
        at: text,
        send: named(EVENT_NAME_PATTERN),
        payload: valueMap,
        /** The deadline stands still while the case is in these states, and resumes on return. */
        suspend: {
          type: 'object',
          additionalProperties: false,
          required: ['in', 'resume'],
          properties: {
            in: { type: 'array', minItems: 1, uniqueItems: true, items: named(STATE_NAME_PATTERN) },
            resume: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    states: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: STATE_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
      additionalProperties: { $ref: '#/$defs/state' },
    },
    assignment: {
      type: 'object',
      additionalProperties: false,
      properties: { reassignBy: roleList, remindEveryHours: { type: 'integer', minimum: 1, maximum: 720 } },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: {
        title: text,
        description: { type: 'string' },
        type: { enum: ['final'] },
        initial: named(STATE_NAME_PATTERN),
        states: { $ref: '#/$defs/states' },
        entry: { $ref: '#/$defs/actions' },
        exit: { $ref: '#/$defs/actions' },
        deadlines: { type: 'array', items: { $ref: '#/$defs/deadline' } },
        on: {
          type: 'object',
          propertyNames: { pattern: EVENT_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
          additionalProperties: { $ref: '#/$defs/event' },
        },
      },
    },
    event: {
      type: 'object',
      additionalProperties: false,
      // roles (people, the engine) or from (processes), or both: checked by the builder with a plain message.
      properties: {
        title: text,
        description: { type: 'string' },
        roles: roleList,
        /** Processes (definition keys) whose `emit` may send this event. */
        from: keyList,
        /** Sent only through the process's application service, never as a plain event. */
        via: { enum: ['service'] },
        /** With `via: service`: the API people use instead (named when a plain send is refused). */
        api: text,
        /** The events (or `start`) whose latest sender may not send this one. */
        notBy: { type: 'array', minItems: 1, uniqueItems: true, items: named(EVENT_NAME_PATTERN) },
        /** A decision's written opinion (审批意见, payload field `opinion`): required or optional. */
        opinion: { enum: ['required', 'optional'] },
        payload: { type: 'object' },
        compute: {
          type: 'object',
          propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: MAX_NAME_LENGTH },
          additionalProperties: {
            oneOf: [
              named(FUNCTION_NAME_PATTERN),
              {
                type: 'object',
                additionalProperties: false,
                required: ['function'],
                properties: { function: named(FUNCTION_NAME_PATTERN), with: valueMap },
              },
            ],
          },
        },
        when: { type: 'string' },
        reject: { type: 'string', minLength: 1 },
        target: named(STATE_NAME_PATTERN),
        assign: { $ref: '#/$defs/assign' },
        actions: { $ref: '#/$defs/actions' },
        branches: { type: 'array', minItems: 1, items: { $ref: '#/$defs/branch' } },
      },
    },
    branch: {
      type: 'object',
      additionalProperties: false,
      properties: {
        when: { type: 'string' },
        reject: { type: 'string', minLength: 1 },
        target: named(STATE_NAME_PATTERN),
        assign: { $ref: '#/$defs/assign' },
        actions: { $ref: '#/$defs/actions' },
      },
    },
    assign: {
      type: 'object',
      propertyNames: { pattern: ASSIGN_PATH_PATTERN, maxLength: MAX_NAME_LENGTH },
      additionalProperties: value,
    },
    actions: { type: 'array', items: { $ref: '#/$defs/action' } },
    action: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        render: {
          type: ['string', 'object'],
          pattern: TEMPLATE_NAME_PATTERN,
          maxLength: MAX_TEMPLATE_NAME_LENGTH,
          additionalProperties: false,
          required: ['template'],
          properties: { template: named(TEMPLATE_NAME_PATTERN, MAX_TEMPLATE_NAME_LENGTH), title: value },
        },
        post: {
          type: 'object',
          additionalProperties: false,
          required: ['template', 'title'],
          properties: { template: named(TEMPLATE_NAME_PATTERN, MAX_TEMPLATE_NAME_LENGTH), title: value },
        },
        notify: {
          type: 'object',
          additionalProperties: false,
          required: ['role', 'message'],
          properties: { role: named(ROLE_NAME_PATTERN), message: value },
        },
        cc: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          // 抄送: copies with read receipts to the people of roles and/or named users (an expression each, e.g. =instance.startedBy).
          properties: { roles: roleList, users: { type: 'array', items: value }, message: value },
        },
        email: {
          type: 'object',
          additionalProperties: false,
          required: ['to', 'subject', 'template'],
          properties: {
            to: value,
            cc: value,
            subject: value,
            template: named(TEMPLATE_NAME_PATTERN, MAX_TEMPLATE_NAME_LENGTH),
          },
        },
        apply: {
          type: 'object',
          additionalProperties: false,
          required: ['function'],
          properties: { function: named(FUNCTION_NAME_PATTERN), with: valueMap },
        },
        emit: {
          type: 'object',
          additionalProperties: false,
          // `to` (a business key, or parent) or `where` (correlation values): checked by the builder with a plain message.
          required: ['event'],
          properties: {
            event: named(EVENT_NAME_PATTERN),
            to: { type: 'string', minLength: 1 },
            where: { type: 'object', minProperties: 1, propertyNames: named(FIELD_NAME_PATTERN), additionalProperties: value },
            definition: named(KEY_PATTERN),
            payload: value,
          },
        },
        start: {
          type: 'object',
          additionalProperties: false,
          required: ['definition', 'businessKey'],
          properties: {
            definition: named(KEY_PATTERN),
            businessKey: value,
            context: value,
          },
        },
      },
    },
  },
} as const;
