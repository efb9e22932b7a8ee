import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token' })
  @ApiBody({ schema: TOKEN_REQUEST })
  async token(@Body() body: unknown) {
    const { username, password } = parseTokenRequest(body);
    return this.engine.auth.issueToken(username, password);
  }
}
