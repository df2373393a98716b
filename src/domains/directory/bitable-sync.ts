import { z } from 'zod';
import type { TemplateSet } from '../../bitable/load-templates.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/client.js';
import { quote } from '../../mirror/mirror-ddl.js';
import { toRow } from '../../mirror/mirror-rows.js';
import type { MirrorRow } from '../../mirror/index.js';
import { ApprovalConfig } from '../exceptions/logic/approvals.js';
import { SlaMatrix } from '../exceptions/logic/clocks.js';
import { EscalationPolicy } from '../exceptions/logic/escalation.js';
import { NudgePolicy } from '../exceptions/logic/nudges.js';
import { SETTING_KEYS } from '../exceptions/rules.js';
import { BusinessCalendarConfig } from '../shared/business-calendar-config.js';
import type { Directory } from './service.js';
import { mapCalendar } from './sync/calendar.js';
import { mapPeople, mapTeams } from './sync/people.js';
import { CalendarRow, OptionKeys, parseRows, PeopleRow, SettingRow, TeamRow, type SyncProblem, type SyncTable } from './sync/rows.js';
import { mapSettings } from './sync/settings.js';
import { rawSetting, savePeople, saveSetting, saveTeams, type SettingOutcome } from './sync/store.js';

export { SYNC_TABLES, type SyncTable, type SyncProblem } from './sync/rows.js';

/** What one sync did, table by table, and every row it could not use. */
export interface SyncReport {
  tables: SyncTable[];
  people?: { rows: number; upserted: number; deactivated: number };
  teams?: { rows: number; upserted: number; deactivated: number };
  settings: Record<string, SettingOutcome>;
  problems: SyncProblem[];
}

export interface DirectorySyncDeps {
  database: Database;
  directory: Directory;
  templates: TemplateSet;
  /** The mirror's Postgres table of a template (`mirror.tableName`). */
  tableName(tableKey: string): string;
  log: Logger;
  timeZone: string;
  now(): Date;
}

// Kept raw (the business time zone is filled in when the calendar is compiled, see rules.ts).
const CalendarSetting = z.record(z.string(), z.unknown());

/**
 * Carries the four shared Bitable tables (人员与角色, 团队, 工作日历, 规则配置) from the mirror into
 * the directory the workflows read. Idempotent; a bad row is reported and skipped, never thrown.
 */
export function createDirectorySync(deps: DirectorySyncDeps) {
  const db = deps.database.db;
  const read = async (key: SyncTable): Promise<MirrorRow[]> => {
    const template = deps.templates.table(key);
    const { rows } = await deps.database.query<Record<string, unknown>>(`select * from ${quote(deps.tableName(key))}`);
    return rows.map((r) => toRow(template, r));
  };
  const options = (key: SyncTable) => new OptionKeys(deps.templates.table(key));

  async function syncPeopleAndTeams(tables: readonly SyncTable[], report: SyncReport): Promise<void> {
    const teamRows = parseRows('teams', TeamRow, await read('teams'), report.problems);
    // Team problems are reported by the teams sync only, once.
    const teams = mapTeams(teamRows, tables.includes('teams') ? report.problems : []);
    if (tables.includes('teams')) report.teams = { rows: teamRows.length, ...(await saveTeams(db, deps.directory, [...teams.values()].map(({ recordId: _r, memberRecordIds: _m, ...t }) => t))) };
    if (!tables.includes('people')) return;
    const rows = parseRows('people', PeopleRow, await read('people'), report.problems);
    report.people = { rows: rows.length, ...(await savePeople(db, deps.directory, mapPeople(rows, teams, options('people'), report.problems))) };
  }

  async function syncCalendar(report: SyncReport): Promise<void> {
    const rows = parseRows('business_calendar', CalendarRow, await read('business_calendar'), report.problems);
    const dates = mapCalendar(rows, options('business_calendar'), deps.timeZone, report.problems);
    const value = dates && { ...(await rawSetting(db, SETTING_KEYS.calendar)), dates };
    const checked = value && BusinessCalendarConfig.safeParse({ timeZone: deps.timeZone, ...value });
    if (checked && !checked.success) {
      report.problems.push({ table: 'business_calendar', recordId: rows[0]?.recordId ?? '', message: `工作日历无效，仍用原日历 the calendar is invalid (${checked.error.issues[0]?.message}); the previous one stays` });
      return;
    }
    report.settings[SETTING_KEYS.calendar] = await saveSetting(db, deps.directory, SETTING_KEYS.calendar, CalendarSetting, value);
  }

  async function syncSettings(report: SyncReport): Promise<void> {
    const rows = parseRows('settings', SettingRow, await read('settings'), report.problems);
    const mapped = mapSettings(rows, options('settings'), deps.now(), report.problems);
    const s = report.settings;
    s[SETTING_KEYS.sla] = await saveSetting(db, deps.directory, SETTING_KEYS.sla, SlaMatrix, mapped.sla);
    s[SETTING_KEYS.nudges] = await saveSetting(db, deps.directory, SETTING_KEYS.nudges, NudgePolicy, mapped.nudges);
    s[SETTING_KEYS.approvals] = await saveSetting(db, deps.directory, SETTING_KEYS.approvals, ApprovalConfig, mapped.approvals);
    s[SETTING_KEYS.escalation] = await saveSetting(db, deps.directory, SETTING_KEYS.escalation, EscalationPolicy, mapped.escalation);
  }

  async function run(tables: readonly SyncTable[]): Promise<SyncReport> {
    const report: SyncReport = { tables: [...tables], settings: {}, problems: [] };
    if (tables.includes('people') || tables.includes('teams')) await syncPeopleAndTeams(tables, report);
    if (tables.includes('business_calendar')) await syncCalendar(report);
    if (tables.includes('settings')) await syncSettings(report);
    for (const p of report.problems) deps.log.warn({ table: p.table, recordId: p.recordId, problem: p.message }, 'bitable row not used by the directory');
    deps.log.info({ tables, people: report.people, teams: report.teams, settings: report.settings, problems: report.problems.length }, 'directory synced from bitable');
    return report;
  }

  // One sync at a time per process; changes arriving meanwhile share the next run.
  let tail: Promise<unknown> = Promise.resolve();
  let next: { tables: Set<SyncTable>; run: Promise<SyncReport> } | undefined;
  return {
    /** Re-reads `tables` (all four by default) from the mirror and updates the directory. */
    sync(tables: readonly SyncTable[] = ['people', 'teams', 'business_calendar', 'settings']): Promise<SyncReport> {
      if (next) {
        for (const t of tables) next.tables.add(t);
        return next.run;
      }
      const pending = new Set(tables);
      const started = tail.then(() => {
        next = undefined;
        return run([...pending]);
      });
      next = { tables: pending, run: started };
      tail = started.catch(() => undefined);
      return started;
    },
  };
}

export type DirectorySync = ReturnType<typeof createDirectorySync>;
