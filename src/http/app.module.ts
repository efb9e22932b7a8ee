/**
 * The HTTP surface. The engine (database, definitions, instances, audit, auth) is built
 * outside Nest by `openEngine` and handed in, so the CLI and the tests use the same parts; the
 * per-process services (src/processes/) are built on it here and injected into their
 * controllers.
 */
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthService } from '../auth/auth.service';
import type { Engine } from '../engine/engine';
import { ComplaintService } from '../processes/complaint/complaint.service';
import { SurveyRoundService } from '../processes/survey-round/survey-round.service';
import { AppErrorFilter } from './app-error.filter';
import { AuditController } from './audit.controller';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { CalendarController } from './calendar.controller';
import { ComplaintsController } from './complaints.controller';
import { DefinitionsController } from './definitions.controller';
import { InstancesController } from './instances.controller';
import { AssignmentsController } from './assignments.controller';
import { RemindersController } from './reminders.controller';
import { WebNoticesController } from '../web/web-notices.controller';
import { RecordsController } from './records.controller';
import { SurveyController } from './survey.controller';
import { UsersController } from './users.controller';
import { WebAdminController } from '../web/web-admin.controller';
import { WebAuthController } from '../web/web-auth.controller';
import { WebCasesController } from '../web/web-cases.controller';
import { WebChartAssetsController } from '../web/web-charts';
import { WebComplaintsController } from '../web/web-complaints.controller';
import { WebSurveyController } from '../web/web-survey.controller';
import { WebAssignmentsController } from '../web/web-assignments.controller';
import { WebPages } from '../web/web-frame';
import { ENGINE } from './tokens';

@Module({})
export class AppModule {
  static forEngine(engine: Engine): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        AuthController,
        DefinitionsController,
        InstancesController,
        AssignmentsController,
        RemindersController,
        AuditController,
        RecordsController,
        ComplaintsController,
        SurveyController,
        CalendarController,
        UsersController,
        WebAuthController,
        WebCasesController,
        WebAssignmentsController,
        WebNoticesController,
        WebAdminController,
        WebChartAssetsController,
        WebComplaintsController,
        WebSurveyController,
      ],
      providers: [
        { provide: ENGINE, useValue: engine },
        { provide: AuthService, useValue: engine.auth },
        { provide: SurveyRoundService, useValue: SurveyRoundService.forEngine(engine) },
        { provide: ComplaintService, useValue: new ComplaintService(engine) },
        WebPages,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AppErrorFilter },
      ],
    };
  }
}
