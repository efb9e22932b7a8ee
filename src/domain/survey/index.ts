/**
 * The survey round's pure domain calculations (DOMAIN.md §1): questionnaire, roster, sampling,
 * F002 statistics, analysis, the figures of a round's audit trail, the masking of owners'
 * contacts, and the data the survey documents read. No Nest, no TypeORM, no SQL.
 */
export * from './questionnaire';
export * from './roster';
export * from './sampling';
export * from './statistics';
export * from './statistics-xlsx';
export * from './analysis';
export * from './survey-documents';
export * from './round-trail';
export * from './contact-mask.util';
