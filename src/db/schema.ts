// Every table the app owns, for drizzle-kit and the typed query builder.
import * as core from '../core/tables.js';
import * as directory from '../domains/directory/schema.js';
import * as exceptions from '../domains/exceptions/schema.js';
import * as exceptionReports from '../domains/exceptions/report-schema.js';
import * as mirror from '../mirror/schema.js';
import * as community from '../domains/community/schema.js';
import * as communityRollups from '../domains/community/rollup-schema.js';
import * as qa from '../domains/qa/schema.js';
import * as qaLlm from '../domains/qa/llm/schema.js';
import * as contracts from '../domains/contracts/schema.js';

export const schema = {
  ...core,
  ...directory,
  ...exceptions,
  ...exceptionReports,
  ...mirror,
  ...community,
  ...communityRollups,
  ...qa,
  ...qaLlm,
  ...contracts,
};
export * from '../core/tables.js';
export * from '../domains/directory/schema.js';
export * from '../domains/exceptions/schema.js';
export * from '../mirror/schema.js';
export * from '../domains/exceptions/report-schema.js';
export * from '../domains/community/schema.js';
export * from '../domains/community/rollup-schema.js';
export * from '../domains/qa/schema.js';
export * from '../domains/qa/llm/schema.js';
export * from '../domains/contracts/schema.js';
