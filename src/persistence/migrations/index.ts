import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { TimersOutboxDocuments1764100000000 } from './1764100000000-timers-outbox-documents';
import { UserAttributes1764200000000 } from './1764200000000-user-attributes';
import { Survey1764300000000 } from './1764300000000-survey';
import { SurveyExclusions1764400000000 } from './1764400000000-survey-exclusions';
import { Attachments1764500000000 } from './1764500000000-attachments';
import { AuditActorAttributes1764600000000 } from './1764600000000-audit-actor-attributes';
import { CalendarRevisions1764700000000 } from './1764700000000-calendar-revisions';
import { SignInFailures1764800000000 } from './1764800000000-sign-in-failures';
import { InstanceStatusIndex1764900000000 } from './1764900000000-instance-status-index';
import { InstanceCorrelations1765012000000 } from './1765012000000-instance-correlations';
import { TimerSuspension1765012100000 } from './1765012100000-timer-suspension';
import { TaskAssignments1765100100000 } from './1765100100000-task-assignments';
import { CaseCopies1765100200000 } from './1765100200000-case-copies';

/** Every migration, in order. Schema changes are new entries here, never `synchronize`. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  TimersOutboxDocuments1764100000000,
  UserAttributes1764200000000,
  Survey1764300000000,
  SurveyExclusions1764400000000,
  Attachments1764500000000,
  AuditActorAttributes1764600000000,
  CalendarRevisions1764700000000,
  SignInFailures1764800000000,
  InstanceStatusIndex1764900000000,
  InstanceCorrelations1765012000000,
  TimerSuspension1765012100000,
  TaskAssignments1765100100000,
  CaseCopies1765100200000,
];
