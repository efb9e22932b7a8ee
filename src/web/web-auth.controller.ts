/** 登录 / 退出 and the 工作台's own assets (no session needed for these). */
import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import { Public } from '../http/auth.guard';
import { CASE_EXTRAS_CSS } from './views/case-extras.view';
import { APP_CSS, APP_JS } from './web-assets';
import { WebErrorFilter } from './web-error.filter';
import { WebPages } from './web-frame';
import {
  clearCookie,
  CurrentSession,
  issueLoginCsrf,
  LOGIN_CSRF_COOKIE,
  readCookies,
  requireCsrf,
  sameToken,
  sessionOf,
  SESSION_COOKIE,
  setSessionCookie,
  WebSessionGuard,
  type WebSession,
} from './web-session';

/** Only paths of the 工作台 itself are followed after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/app(\/|\?|$)/.test(next) && !next.startsWith('//') && !next.includes('\\') ? next : '/app';
}

@ApiExcludeController()
@Public()
@UseFilters(WebErrorFilter)
@Controller()
export class WebAuthController {
  constructor(private readonly pages: WebPages) {}

  @Get()
  root(@Res() res: Response) {
    res.redirect(302, '/app');
  }

  @Get('app/assets/app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  css() {
    return APP_CSS + CASE_EXTRAS_CSS;
  }

  @Get('app/assets/app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  js() {
    return APP_JS;
  }

  @Get('app/login')
  @Header('Cache-Control', 'no-store')
  async loginPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    if (await sessionOf(req, this.pages.engine.auth)) return res.redirect(303, safeNext(next));
    const csrf = issueLoginCsrf(res, req);
    res.type('html').send(await this.pages.render('LOGIN', undefined, '登录', undefined, { next: safeNext(next), csrf }));
  }

  @Post('app/login')
  @Header('Cache-Control', 'no-store')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const next = safeNext(body?.next);
    const username = typeof body?.username === 'string' ? body.username.trim() : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    const again = async (error: string) => {
      const csrf = issueLoginCsrf(res, req);
      res
        .status(200)
        .type('html')
        .send(await this.pages.render('LOGIN', undefined, '登录', undefined, { next, error, username, csrf }));
    };
    if (!sameToken(body?._csrf, readCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE])) return again('登录页已过期，请重新输入后再登录。');
    if (!username || !password) return again('请输入用户名和密码。');
    try {
      const issued = await this.pages.engine.auth.issueToken(username, password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
      clearCookie(res, req, LOGIN_CSRF_COOKIE);
      setSessionCookie(res, req, issued.token, issued.expiresAt, this.pages.engine.clock.now());
      res.redirect(303, next);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.Unauthenticated) return again('用户名或密码不对。');
      if (err instanceof AppError && err.code === ErrorCode.TooManyAttempts) {
        const at = typeof err.details?.retryAt === 'string' ? this.pages.presenter.time(err.details.retryAt) : '';
        return again(`登录失败次数过多，已暂时锁定${at ? `，请在 ${at} 之后再试` : ''}。`);
      }
      throw err;
    }
  }

  @Post('app/logout')
  @UseGuards(WebSessionGuard)
  async logout(@CurrentSession() session: WebSession, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    requireCsrf(session, body);
    await this.pages.engine.auth.revoke(session.token);
    clearCookie(res, req, SESSION_COOKIE);
    res.redirect(303, '/app/login');
  }
}
