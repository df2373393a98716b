// Every table the app owns, for drizzle-kit and the typed query builder.
import * as core from '../core/tables.js';
import * as directory from '../domains/directory/schema.js';
import * as exceptions from '../domains/exceptions/schema.js';
import * as mirror from '../mirror/schema.js';

export const schema = { ...core, ...directory, ...exceptions, ...mirror };
export * from '../core/tables.js';
export * from '../domains/directory/schema.js';
export * from '../domains/exceptions/schema.js';
export * from '../mirror/schema.js';
