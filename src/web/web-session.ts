/**
 * Sessions of the 工作台 pages. A page session is an ordinary bearer token of the auth service
 * (same sign-in, same lockout, same expiry) kept in an HttpOnly, SameSite=Lax cookie; the API
 * still takes only `Authorization: Bearer`, so a cookie never authorises an API call.
 *
 * CSRF: every form POST carries `_csrf`, a token derived from the session token (an HMAC-like
 * SHA-256 of it under a fixed label), so it is bound to the session and needs no storage; a
 * page on another site can read neither the cookie nor the token. The sign-in form, which has
 * no session yet, uses a double-submit cookie (`wf_login_csrf`) instead.
 */
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { AuthService } from '../auth/auth.service';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';

export const SESSION_COOKIE = 'wf_session';
export const LOGIN_CSRF_COOKIE = 'wf_login_csrf';

export interface WebSession {
  readonly actor: Actor;
  readonly token: string;
  readonly csrf: string;
}

type WithSession = Request & { webSession?: WebSession };

/** The cookies of a request (no cookie-parser: a small RFC 6265 reader). */
export function readCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

/** The CSRF token bound to a session token. */
export function csrfFor(sessionToken: string): string {
  return createHash('sha256').update(`wf-csrf:${sessionToken}`, 'utf8').digest('base64url');
}

/** Constant-time comparison of two tokens (false when either is missing). */
export function sameToken(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Refuses a form POST whose `_csrf` field does not match the session. */
export function requireCsrf(session: WebSession, body: unknown): void {
  const sent = (body as Record<string, unknown> | undefined)?._csrf;
  if (!sameToken(sent, session.csrf))
    throw new AppError(ErrorCode.Forbidden, 'form token (_csrf) missing or wrong: reload the page and try again', undefined, {
      userMessage: '表单已过期或来源不明，没有提交。请刷新页面后重试。',
    });
}

function cookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Sets the session cookie to expire when the token does. */
export function setSessionCookie(res: Response, req: Request, token: string, expiresAt: string, now: Date): void {
  const maxAge = (Date.parse(expiresAt) - now.getTime()) / 1000;
  res.append('Set-Cookie', cookie(SESSION_COOKIE, token, { maxAgeSeconds: maxAge, secure: req.secure }));
}

export function clearCookie(res: Response, req: Request, name: string): void {
  res.append('Set-Cookie', cookie(name, '', { maxAgeSeconds: 0, secure: req.secure }));
}

/** A fresh double-submit token for the sign-in form, set as a cookie and returned for the hidden field. */
export function issueLoginCsrf(res: Response, req: Request): string {
  const value = randomBytes(24).toString('base64url');
  res.append('Set-Cookie', cookie(LOGIN_CSRF_COOKIE, value, { maxAgeSeconds: 3600, secure: req.secure }));
  return value;
}

/** Resolves the session cookie to its actor, or undefined when there is none or it expired. */
export async function sessionOf(req: Request, auth: AuthService): Promise<WebSession | undefined> {
  const token = readCookies(req.headers.cookie)[SESSION_COOKIE];
  if (!token) return undefined;
  try {
    const actor = await auth.authenticate(token);
    return { actor, token, csrf: csrfFor(token) };
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.Unauthenticated) return undefined;
    throw err;
  }
}

/** Pages need a session cookie; without one the web error filter sends the browser to 登录. */
@Injectable()
export class WebSessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithSession>();
    const session = await sessionOf(req, this.auth);
    if (!session) throw new AppError(ErrorCode.Unauthenticated, 'no 工作台 session: sign in at /app/login');
    req.webSession = session;
    return true;
  }
}

/** The signed-in session of a page request (after WebSessionGuard). */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): WebSession => {
  const session = ctx.switchToHttp().getRequest<WithSession>().webSession;
  if (!session) throw new AppError(ErrorCode.Unauthenticated, 'not signed in');
  return session;
});
