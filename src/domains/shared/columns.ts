import { sql } from 'drizzle-orm';
import { bigint, integer, timestamp } from 'drizzle-orm/pg-core';

/** The column shapes every domain's tables use, written once. */

/** An instant (timestamptz). */
export const at = (name: string) => timestamp(name, { withTimezone: true });

/** An instant set by the database when the row is written (created_at, updated_at, received_at …). */
export const atNow = (name: string) =>
  at(name)
    .notNull()
    .default(sql`now()`);

/** A count that starts at 0. */
export const count = (name: string) => integer(name).notNull().default(0);

/** Money in fen (1/100 yuan) as a JS number, starting at 0. */
export const fen = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);
