/**
 * The JSON Schema of a questionnaire and the bundled default questionnaire 《客户意见调查表》
 * (QP-08-15-F001): data for questionnaire.ts, which validates and reads answers against them.
 */
import { deepFreeze } from '../../common/objects.util';
import type { Questionnaire } from './questionnaire.types';

export const DEFAULT_TEXT_MAX_LENGTH = 500;

const KEY_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';

/** JSON Schema of a questionnaire (draft-07, for ajv). */
export const QUESTIONNAIRE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'title', 'version', 'scale', 'items', 'questions'],
  properties: {
    key: { type: 'string', pattern: KEY_PATTERN },
    title: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1 },
    formNo: { type: 'string' },
    intro: { type: 'string' },
    scale: {
      type: 'object',
      additionalProperties: false,
      required: ['levels'],
      properties: {
        levels: {
          type: 'array',
          minItems: 2,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'label', 'satisfied'],
            properties: {
              key: { type: 'string', pattern: KEY_PATTERN },
              label: { type: 'string', minLength: 1 },
              satisfied: { type: 'boolean' },
              dissatisfied: { type: 'boolean' },
              points: { type: 'number' },
            },
          },
        },
      },
    },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'label'],
        properties: {
          key: { type: 'string', pattern: KEY_PATTERN },
          label: { type: 'string', minLength: 1 },
          group: { type: 'string' },
          keywords: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
    questions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'label', 'kind'],
        properties: {
          key: { type: 'string', pattern: KEY_PATTERN },
          label: { type: 'string', minLength: 1 },
          kind: { const: 'text' },
          maxLength: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
} as const;

/**
 * The default questionnaire: the service items of 000 4.3, the 5-level scale of 000/003 with
 * 非常满意 and 满意 as the satisfied levels, and the free-text 其他意见或建议. No points: 000 and
 * 003 compute rates only.
 */
export const DEFAULT_QUESTIONNAIRE: Questionnaire = deepFreeze({
  key: 'customerOpinion',
  title: '客户意见调查表',
  version: 1,
  formNo: 'QP-08-15-F001',
  intro:
    '尊敬的业主（住户）：您好！为了解您对我们服务工作的满意程度，不断改进物业管理服务质量，请您在百忙之中抽出几分钟填写本表，在相应的“□”内打“√”。感谢您的支持与配合！',
  scale: {
    levels: [
      { key: 'verySatisfied', label: '非常满意', satisfied: true },
      { key: 'satisfied', label: '满意', satisfied: true },
      { key: 'neutral', label: '一般', satisfied: false },
      { key: 'dissatisfied', label: '不满意', satisfied: false },
      { key: 'veryDissatisfied', label: '非常不满意', satisfied: false },
    ],
  },
  items: [
    { key: 'order', label: '秩序维护', group: '安全秩序', keywords: ['秩序', '保安', '护卫', '门岗', '巡逻', '治安', '安全', '访客', '门禁'] },
    { key: 'traffic', label: '道路交通与停车', group: '安全秩序', keywords: ['道路', '交通', '停车', '车位', '车辆', '车库', '道闸'] },
    { key: 'cleaning', label: '清洁与垃圾', group: '环境', keywords: ['清洁', '卫生', '垃圾', '保洁', '打扫'] },
    { key: 'greenery', label: '绿化与消杀', group: '环境', keywords: ['绿化', '消杀', '蚊', '虫', '老鼠', '苗木', '草坪', '修剪'] },
    { key: 'utilities', label: '供水供电', group: '工程设备', keywords: ['供水', '供电', '停水', '停电', '水压', '电压', '照明', '路灯'] },
    { key: 'elevator', label: '电梯', group: '工程设备', keywords: ['电梯', '困梯', '轿厢'] },
    { key: 'repairs', label: '日常维修与服务态度', group: '工程设备', keywords: ['维修', '报修', '漏水', '态度', '上门'] },
    { key: 'community', label: '社区文化与会所', group: '客户服务', keywords: ['社区文化', '文化活动', '活动', '会所', '健身', '休闲', '泳池'] },
    { key: 'complaints', label: '投诉处理', group: '客户服务', keywords: ['投诉', '回复', '答复', '处理结果'] },
  ],
  questions: [{ key: 'other', label: '其他意见或建议', kind: 'text', maxLength: DEFAULT_TEXT_MAX_LENGTH }],
});
