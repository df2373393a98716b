import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Logger } from 'drizzle-orm/logger';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../../src/db/client.js';
import { schema } from '../../../src/db/schema.js';
import { reportRepo } from '../../../src/domains/exceptions/report-repository.js';
import { repo } from '../../../src/domains/exceptions/repository.js';
import { createTestDatabase } from '../../helpers/db.js';
import { loadTemplates } from '../../../src/bitable/load-templates.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';
import { ensureMirrorTables, primaryIndexName } from '../../../src/mirror/mirror-ddl.js';

// Every query the API, the dashboard and the sweep run can be answered from an index: with
// sequential scans priced out, PostgreSQL's plan for the real query text names no Seq Scan.
describe('indexes behind the exceptions reads', () => {
  let database: Database;
  let db: Db;
  let run: (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;
  let close = async () => undefined as void;
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  const logger: Logger = { logQuery: (sql, params) => void captured.push({ sql, params }) };

  beforeAll(async () => {
    database = await createTestDatabase();
    if (database.pglite) {
      const pglite = database.pglite;
      db = drizzlePglite(pglite, { schema, logger }) as unknown as Db;
      run = async (text, params) => (await pglite.query<Record<string, unknown>>(text, params)).rows;
    } else {
      // One connection, so the session setting below applies to every EXPLAIN.
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      db = drizzlePg(pool, { schema, logger }) as unknown as Db;
      run = async (text, params) => (await pool.query(text, params)).rows;
      close = async () => void (await pool.end());
    }
    await run('set enable_seqscan = off', []);
  });
  afterAll(async () => {
    await close();
    await database.close();
  });

  async function plansOf(query: () => Promise<unknown>): Promise<string[]> {
    captured.length = 0;
    await query();
    const plans: string[] = [];
    for (const q of [...captured]) {
      const rows = await run(`explain ${q.sql}`, q.params);
      plans.push(rows.map((r) => String(Object.values(r)[0])).join('\n'));
    }
    return plans;
  }

  const now = new Date('2026-11-30T08:00:00Z');
  const since = new Date('2025-11-30T05:30:00Z');
  const f = { kind: 'lost' };
  const reads: Array<[string, () => Promise<unknown>]> = [
    ['list by state', () => repo.listCases(db, { state: 'in_progress', limit: 50 })],
    ['list by kind', () => repo.listCases(db, { kind: 'lost', limit: 50 })],
    ['open cases (sweep)', () => repo.openCaseVersions(db)],
    ['the cases to read (sweep)', () => repo.openCasesByIds(db, [3, 7, 11])],
    ['the case behind a card (chat reply)', () => repo.openCaseByCard(db, 'om_123')],
    ['waiting on the warehouse (nudges)', () => repo.casesInState(db, 'waiting_warehouse')],
    ['history of the cases to read (sweep)', () => repo.historyOfCases(db, [3, 7, 11])],
    ['steps sent to the cases to read (sweep)', () => repo.escalationStepsOfCases(db, [3, 7, 11])],
    ['stored clocks of the cases to read (sweep)', () => reportRepo.openClocksOf(db, [3, 7, 11])],
    ['a case', () => repo.getCase(db, 7)],
    ['a case with all its card shows (card click)', () => repo.caseForCard(db, 7)],
    ['steps and pending approval of a card', () => repo.viewExtras(db, 7)],
    ['its history', () => repo.history(db, [7])],
    ['its approvals', () => repo.approvalsOf(db, 7)],
    ['its claims', () => repo.claimsOf(db, [7])],
    ['its audit', () => repo.auditOf(db, 7)],
    ['finished totals', () => reportRepo.finishedTotals(db, since, {})],
    ['finished totals of a kind', () => reportRepo.finishedTotals(db, since, f)],
    ['cycle percentiles', () => reportRepo.cyclePercentiles(db, since, {}, 200_000)],
    ['open by kind and age', () => reportRepo.openByKindAndAge(db, now, [4, 24, 72, 168], {})],
    ['open totals', () => reportRepo.openTotals(db, now, f)],
    ['open time per state', () => reportRepo.openMsByState(db, now, {})],
    ['claims page', () => reportRepo.openClaimsPage(db, 100, 40)],
    ['claim counts', () => reportRepo.openClaimCounts(db, now)],
    [
      'stale claims page (reminders)',
      () => repo.staleClaimsPage(db, { staleBefore: since, remindedBefore: now, afterId: 40, limit: 100 }),
    ],
  ];

  // A partial index is narrow by its predicate; any other index scan must be bounded by a condition
  // (a whole-table walk along the primary key with a filter is a sequential scan in disguise).
  const PARTIAL = [
    'exceptions_cases_open_idx',
    'exceptions_case_results_open_idx',
    'exceptions_case_results_closed_opened_idx',
    'exceptions_recovery_claims_open_idx',
  ];
  function unboundedScans(plan: string): string[] {
    const nodes = plan.split(/\n(?=\s*->)/);
    return nodes.filter((node) => {
      const index = /(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/.exec(node)?.[1];
      if (!index) return /Seq Scan/.test(node);
      return !PARTIAL.includes(index) && !/Index Cond/.test(node);
    });
  }

  it('finds a grid row by its record number (EX000123) or a link key through the primary-field index', async () => {
    const templates = await loadTemplates(TEMPLATES_DIR);
    await ensureMirrorTables(database, templates.tables);
    // The seam's lookup (MirrorTable.findBy), as it is written there.
    for (const [table, field] of [
      ['exceptions', 'case_no'],
      ['teams', templates.table('teams').primaryField],
    ] as const) {
      const rows = await run(
        `explain select record_id from "bitable_${table}" where "${field}" = $1 order by _synced_at limit 1`,
        ['EX000007'],
      );
      const plan = rows.map((r) => String(Object.values(r)[0])).join('\n');
      expect(plan).toContain(primaryIndexName(table));
      expect(unboundedScans(plan), plan).toEqual([]);
    }
  });

  it.each(reads)('%s reads an index, never a whole table', async (_name, query) => {
    const plans = await plansOf(query);
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      expect(plan).toMatch(/Index/);
      expect(unboundedScans(plan), plan).toEqual([]);
    }
  });
});
