/**
 * Builds the Nest application around an engine: body parsers with the configured size
 * limit (JSON, refused past 64 levels of nesting, and YAML as text), the OpenAPI document at
 * /openapi.json (UI at /docs).
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { Engine } from '../engine/engine';
import { AppModule } from './app.module';
import { refuseControlCharacters, refuseDeepBodies } from './body-validation';
import { ATTACHMENT_CONTENT_TYPES } from './records.controller';
import { ROSTER_CONTENT_TYPES } from './survey.controller';

export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export async function createApp(engine: Engine, options: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forEngine(engine), {
    bodyParser: false,
    logger: options.logger === false ? false : [...engine.config.logLevels],
  });
  const limit = engine.config.maxBodyBytes;
  app.useBodyParser('json', { limit });
  app.use(refuseDeepBodies);
  app.useBodyParser('text', { limit, type: YAML_CONTENT_TYPES });
  // Roster uploads (CSV/XLSX) as raw bytes; the owners' HTML form as urlencoded fields.
  app.useBodyParser('raw', { limit, type: [...ROSTER_CONTENT_TYPES, ...ATTACHMENT_CONTENT_TYPES] });
  app.useBodyParser('urlencoded', { limit, extended: false });
  app.use(refuseControlCharacters);
  app.disable('x-powered-by');
  // Security headers on every response: nosniff, no framing by other sites, no referrer to
  // other origins, and a Content-Security-Policy that allows only this service's own scripts
  // (pages and printable documents keep their inline styles). No upgrade-insecure-requests:
  // intranet deployments often serve plain HTTP.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'frame-ancestors': ["'self'"],
          'form-action': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      frameguard: { action: 'sameorigin' },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Workflow engine')
      .setDescription('YAML process definitions run as persisted, audited instances. Every endpoint but POST /auth/token needs a bearer token.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  app.enableShutdownHooks();
  return app;
}
