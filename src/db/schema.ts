// Every table the app owns, for drizzle-kit and the typed query builder.
import * as core from '../core/tables.js';
import * as directory from '../domains/directory/schema.js';

export const schema = { ...core, ...directory };
export * from '../core/tables.js';
export * from '../domains/directory/schema.js';
