/**
 * Every endpoint authenticates with a bearer token unless marked @Public() (only
 * POST /auth/token and the OpenAPI document). The resolved actor is put on the request.
 */
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService } from '../auth/auth.service';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';

const PUBLIC = 'wf:public';
export const Public = () => SetMetadata(PUBLIC, true);

type WithActor = Request & { actor?: Actor };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<WithActor>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError(ErrorCode.Unauthenticated, 'missing bearer token: send "Authorization: Bearer <token>" (get one from POST /auth/token)');
    request.actor = await this.auth.authenticate(match[1]);
    return true;
  }
}

/** The authenticated actor of the current request. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<WithActor>().actor;
  if (!actor) throw new AppError(ErrorCode.Unauthenticated, 'not authenticated');
  return actor;
});
