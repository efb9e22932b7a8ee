import { Body, Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Engine } from '../engine/engine';
import { Public } from './auth.guard';
import { bodyValidator } from './body-validation';
import { ENGINE } from './tokens';

const TOKEN_REQUEST = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 1000 } },
};
const parseTokenRequest = bodyValidator<{ username: string; password: string }>(TOKEN_REQUEST);

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary:
      'Exchange a username and password for a bearer token (never cached; 429 with Retry-After after too many failures for the username or from the client)',
  })
  @ApiBody({ schema: TOKEN_REQUEST })
  async token(@Body() body: unknown, @Req() request: Request) {
    const { username, password } = parseTokenRequest(body);
    return this.engine.auth.issueToken(username, password, request.ip ?? request.socket.remoteAddress ?? 'unknown');
  }
}
