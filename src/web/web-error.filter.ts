/**
 * Errors of the 工作台 pages become pages, not JSON: no session → the sign-in page (coming back
 * to the page asked for); anything else → the people's message (`userMessage`) with the code's
 * HTTP status, inside the frame.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import { statusFor } from '../http/app-error.filter';
import { WebPages } from './web-frame';
import type { WebSession } from './web-session';

@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('web');

  constructor(private readonly pages: WebPages) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<Request & { webSession?: WebSession }>();
    const res = host.switchToHttp().getResponse<Response>();
    const err =
      exception instanceof AppError
        ? exception
        : exception instanceof HttpException && exception.getStatus() < 500
          ? new AppError(
              exception.getStatus() === 404 ? ErrorCode.NotFound : exception.getStatus() === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.BadRequest,
              exception.message,
            )
          : new AppError(ErrorCode.Internal, 'internal error; the details are in the service log');
    if (err.code === ErrorCode.Internal) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (err.code === ErrorCode.Unauthenticated) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      res.redirect(303, `/app/login${next}`);
      return;
    }
    try {
      const html = await this.pages.render('ERROR', req.webSession, '出错了', undefined, { message: err.userMessage });
      res.status(statusFor(err.code)).type('html').send(html);
    } catch (second) {
      this.logger.error(second instanceof Error ? second.stack : String(second));
      res.status(statusFor(err.code)).type('text').send(err.userMessage);
    }
  }
}
