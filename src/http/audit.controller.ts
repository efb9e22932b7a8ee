import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../compiler/process-machine.contract';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { ENGINE } from './tokens';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get('verify')
  @ApiOperation({ summary: "Walk every audit chain (or one instance's) and name the first entry that does not match (auditors, admins)" })
  @ApiQuery({ name: 'instanceId', required: false })
  verify(@CurrentActor() actor: Actor, @Query('instanceId') instanceId?: string) {
    this.engine.access.require(actor, 'audit.verify', 'verifying the audit trail');
    return this.engine.auditVerifier.verify({ instanceId });
  }
}
