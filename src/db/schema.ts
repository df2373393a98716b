// Every table the app owns, for drizzle-kit and the typed query builder.
import * as core from '../core/tables.js';

export const schema = { ...core };
export * from '../core/tables.js';
