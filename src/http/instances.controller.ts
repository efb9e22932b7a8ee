import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { bodyValidator } from './body-validation';
import { ENGINE } from './tokens';

const IDEMPOTENCY_KEY = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'a retried request with the same key returns the first result instead of applying twice',
};

const CREATE = {
  type: 'object',
  required: ['definition', 'businessKey'],
  additionalProperties: false,
  properties: {
    definition: { type: 'string', minLength: 1, maxLength: 100 },
    businessKey: { type: 'string', minLength: 1, maxLength: 200 },
    context: { type: 'object' },
    idempotencyKey: IDEMPOTENCY_KEY,
  },
};
const SEND = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 100 },
    payload: { type: 'object' },
    idempotencyKey: IDEMPOTENCY_KEY,
  },
};
const parseCreate = bodyValidator<{ definition: string; businessKey: string; context?: Record<string, unknown>; idempotencyKey?: string }>(CREATE);
const parseSend = bodyValidator<{ type: string; payload?: Record<string, unknown>; idempotencyKey?: string }>(SEND);

function pageNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new AppError(ErrorCode.BadRequest, `query parameter ${name} must be a whole number ≥ 0, got '${value}'`);
  }
  return n;
}

@ApiTags('instances')
@ApiBearerAuth()
@Controller('instances')
export class InstancesController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Post()
  @ApiOperation({ summary: 'Start an instance of the newest version of a definition' })
  @ApiBody({ schema: CREATE })
  @HttpCode(201)
  async create(@CurrentActor() actor: Actor, @Body() body: unknown) {
    // 201 also for a replay: the retried request gets the first answer again.
    return (await this.engine.transitions.create(parseCreate(body), actor)).instance;
  }

  @Get()
  @ApiOperation({ summary: 'List instances (newest first, paged)' })
  @ApiQuery({ name: 'definition', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'businessKey', required: false })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'limit', required: false })
  list(
    @CurrentActor() actor: Actor,
    @Query('definition') definition?: string,
    @Query('state') state?: string,
    @Query('businessKey') businessKey?: string,
    @Query('status') status?: string,
    @Query('offset') offset?: string,
    @Query('limit') limit?: string,
  ) {
    return this.engine.instances.list(
      { definition, state, businessKey, status, offset: pageNumber(offset, 'offset', 0), limit: pageNumber(limit, 'limit', 50) },
      actor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One instance: state, status, context, version' })
  get(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.engine.instances.get(id, actor);
  }

  @Post(':id/events')
  @ApiOperation({ summary: 'Send an event: 200 new state; 403 role may not send it; 409 not accepted now or version moved; 422 invalid payload' })
  @ApiBody({ schema: SEND })
  @HttpCode(200)
  async send(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown) {
    // The answer shows the case as the sender may read it: personal fields masked unless in clear for them.
    return this.engine.instances.asSeenBy(await this.engine.transitions.send(id, parseSend(body), actor), actor);
  }

  @Get(':id/events/available')
  @ApiOperation({ summary: 'Events the caller may send now, each with its payload schema' })
  async available(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.instances.availableEvents(id, actor) };
  }

  @Get(':id/related')
  @ApiOperation({ summary: 'Linked instances (parent, children, senders and receivers of events), each with its full audit trail' })
  async related(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.instances.related(id, actor) };
  }

  @Get(':id/audit')
  @ApiOperation({ summary: 'The audit trail of one instance, oldest first, with its hash chain' })
  async audit(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return { items: await this.engine.instances.audit(id, actor) };
  }
}
