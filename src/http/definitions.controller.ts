import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import { DefinitionLoadError } from '../engine/definition-registry';
import type { Engine } from '../engine/engine';
import { CurrentActor } from './auth.guard';
import { ENGINE } from './tokens';

const YAML_BODY = { schema: { type: 'string', example: 'key: my-process\ntitle: 示例\n...' } };

/** The uploaded file name (for error positions): `?file=` or the X-Filename header, else `upload.yaml`. */
function fileName(query?: string, header?: string): string {
  const name = (query || header || 'upload.yaml').replace(/[^\w.-]/g, '_').slice(0, 200);
  return name || 'upload.yaml';
}

function yamlText(body: unknown): string {
  if (typeof body !== 'string' || body.length === 0) {
    throw new AppError(ErrorCode.BadRequest, 'send the YAML definition as the request body with "Content-Type: application/yaml"');
  }
  return body;
}

@ApiTags('definitions')
@ApiBearerAuth()
@Controller('definitions')
export class DefinitionsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  @Get()
  @ApiOperation({ summary: 'List definitions (newest version of each key)' })
  async list() {
    return { items: await this.engine.definitions.list() };
  }

  @Get(':key')
  @ApiOperation({ summary: 'A definition: its versions, the newest source and its lint findings' })
  async describe(@Param('key') key: string) {
    const latest = await this.engine.definitions.latest(key);
    const versions = await this.engine.definitions.versions(key);
    const source = await this.engine.definitions.source(latest.id);
    const check = this.engine.definitions.validate(source, latest.file);
    return {
      key,
      title: latest.title,
      latestVersion: latest.version,
      versions,
      source,
      findings: check.ok ? check.findings : [],
      errors: check.ok ? [] : check.errors,
    };
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a YAML definition without storing it: 200 with lint findings, or 422 with every error positioned' })
  @ApiConsumes('application/yaml')
  @ApiBody(YAML_BODY)
  @ApiQuery({ name: 'file', required: false, description: 'file name used in error positions' })
  validate(@Body() body: unknown, @Query('file') file?: string, @Headers('x-filename') header?: string) {
    const result = this.engine.definitions.validate(yamlText(body), fileName(file, header));
    if (!result.ok) throw new DefinitionLoadError(result.errors);
    return { ok: true, key: result.definition.key, hash: result.definition.source.hash, findings: result.findings };
  }

  @Post()
  @ApiOperation({ summary: 'Upload a YAML definition (process owners): 201 with key and version, 200 if this exact text is already stored, 422 with errors' })
  @ApiConsumes('application/yaml')
  @ApiBody(YAML_BODY)
  @ApiQuery({ name: 'file', required: false })
  async upload(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Query('file') file?: string,
    @Headers('x-filename') header?: string,
  ) {
    this.engine.access.require(actor, 'definitions.upload', 'uploading a definition');
    const v = await this.engine.definitions.register(yamlText(body), fileName(file, header), actor.id);
    if (v.created) await this.engine.worker.schedules.sync();
    res.status(v.created ? 201 : 200);
    return { key: v.key, version: v.version, id: v.id, hash: v.hash, created: v.created, findings: v.findings };
  }
}
