import type { SqlExecutor } from '../../db/client.js';
import type { RollupRow } from './rollup-query.js';
import { rollupFromRows, type ReachQuery } from './rollup-rows.js';
import { rollupFromStore } from './rollup-stored.js';

export type { ReachQuery } from './rollup-rows.js';
export { DIMENSIONS, GRAINS, type Dimension, type Grain, type RollupQuery, type RollupRow } from './rollup-query.js';

/**
 * Rollups by day / ISO week / month / span × platform / operator / community, exactly as
 * logic/definitions.ts defines the figures. Across communities they come from the stored rollups
 * (rollup-stored.ts: a year reads thousands of rows, not the 730,000 daily ones); one community, or a
 * row per community, from its daily rows (rollup-rows.ts: a few hundred rows by the primary key).
 * Both give the same answer (test/domains/community/rollup-stored.test.ts).
 */
export async function rollup(db: SqlExecutor, q: ReachQuery): Promise<RollupRow[]> {
  return q.community || q.by === 'community' ? rollupFromRows(db, q) : rollupFromStore(db, q);
}
