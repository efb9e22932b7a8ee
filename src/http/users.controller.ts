import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { MANAGER_SERVICE_CARD_TEMPLATE, managerServiceCardData } from '../documents/manager-service-card';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { DOCUMENT_CSP } from './records.controller';
import { ENGINE } from './tokens';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get(':username/service-card')
  @ApiOperation({
    summary:
      "A manager's 经理服务卡 (003 四.(一)) as printable A4 HTML, from the user's display name and attributes phone, mobile, email, title, serviceCenter, project; for process owners and admins, or the user themself",
  })
  @ApiProduces('text/html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCUMENT_CSP)
  async serviceCard(@CurrentActor() actor: Actor, @Param('username') username: string) {
    if (actor.id !== username) this.engine.access.require(actor, 'users.serviceCard', "printing another user's service card");
    const user = await this.engine.auth.user(username);
    if (!user) throw new AppError(ErrorCode.NotFound, `no user '${username}'`);
    const data = managerServiceCardData({ user });
    return this.engine.templates.render(MANAGER_SERVICE_CARD_TEMPLATE, { ...data, renderedAt: this.engine.clock.now().toISOString() }).html;
  }
}
