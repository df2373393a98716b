import type { TemplateSet } from '../../bitable/load-templates.js';
import type { Logger } from '../../core/logger.js';
import type { SettingsStore, SourceRow } from '../../core/settings.js';
import type { Database } from '../../db/client.js';
import { quote } from '../../mirror/mirror-ddl.js';
import { toRow } from '../../mirror/mirror-rows.js';
import type { MirrorRow } from '../../mirror/index.js';
import { BusinessCalendarConfig, CALENDAR_SETTING } from '../shared/business-calendar-config.js';
import type { Directory } from './service.js';
import { mapCalendar } from './sync/calendar.js';
import { mapPeople, mapTeams } from './sync/people.js';
import {
  CalendarRow,
  OptionKeys,
  parseRows,
  PeopleRow,
  SYNC_TABLES,
  TeamRow,
  type SyncProblem,
  type SyncTable,
} from './sync/rows.js';
import { syncSettingsTable } from './sync/settings-table.js';
import { DIRECTORY_ROW_NOT_USED } from './problems/problem-message.js';
import { tellProblems } from './problems/problem-notices.js';
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
  /** Every module's declared settings; those naming a source table are filled from its rows. */
  settings: SettingsStore;
  templates: TemplateSet;
  /** The mirror's Postgres table of a template (`mirror.tableName`). */
  tableName(tableKey: string): string;
  log: Logger;
  timeZone: string;
  now(): Date;
  /** DMs a person (a settings row's editor, or an admin) about a row the workflows cannot use. */
  tell?: (openId: string, key: string, text: string) => Promise<void>;
  /** Writes the bot's status cell of a settings row (sync/settings-table.ts); absent: the grid shows nothing. */
  mark?: (table: string, recordId: string, text: string | null, key: string) => Promise<void>;
}

/**
 * Carries the shared Bitable tables (人员与角色, 团队, 工作日历) into the directory, and hands the
 * rows of 规则配置 and of any module's config table to the settings declared from them. It knows
 * no workflow: each module's `source.map` turns its rows into its setting. Idempotent; a bad row
 * is reported and skipped, never thrown; a bad settings row also keeps its last valid version and
 * its editor is told (sync/settings-table.ts).
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
    if (tables.includes('teams'))
      report.teams = {
        rows: teamRows.length,
        ...(await saveTeams(
          db,
          deps.directory,
          [...teams.values()].map(({ recordId: _r, memberRecordIds: _m, ...t }) => t),
        )),
      };
    if (!tables.includes('people')) return;
    const rows = parseRows('people', PeopleRow, await read('people'), report.problems);
    report.people = {
      rows: rows.length,
      ...(await savePeople(db, deps.directory, mapPeople(rows, teams, options('people'), report.problems))),
    };
  }

  async function syncCalendar(report: SyncReport): Promise<void> {
    const rows = parseRows('business_calendar', CalendarRow, await read('business_calendar'), report.problems);
    const dates = mapCalendar(rows, options('business_calendar'), deps.timeZone, report.problems);
    const value = dates && { ...(await rawSetting(deps.settings, CALENDAR_SETTING)), dates };
    const checked = value && BusinessCalendarConfig.safeParse({ timeZone: deps.timeZone, ...value });
    if (checked && !checked.success) {
      report.problems.push({
        table: 'business_calendar',
        recordId: rows[0]?.recordId ?? '',
        message: `工作日历无效，仍用原日历 the calendar is invalid (${checked.error.issues[0]?.message}); the previous one stays`,
      });
      return;
    }
    report.settings[CALENDAR_SETTING] = await saveSetting(deps.settings, CALENDAR_SETTING, value);
  }

  /** The rows of `table` handed to every setting declared from it (a bad row: see syncSettingsTable). */
  async function syncSettingsFrom(table: string, report: SyncReport): Promise<void> {
    if (!deps.settings.sources().some((s) => s.source?.table === table)) return;
    const rows = (await read(table)).sort(
      (a, b) => (a.modifiedAt?.getTime() ?? 0) - (b.modifiedAt?.getTime() ?? 0) || a.recordId.localeCompare(b.recordId),
    );
    const linkedRows = new Map<string, Promise<Map<string, SourceRow>>>();
    await syncSettingsTable(
      {
        db,
        settings: deps.settings,
        log: deps.log,
        notices: { db, directory: deps.directory, log: deps.log, ...(deps.tell ? { tell: deps.tell } : {}) },
        now: deps.now(),
        timeZone: deps.timeZone,
        optionKey: (field, name) => options(table).key(field, name),
        ...(deps.mark ? { mark: deps.mark } : {}),
        async linked(other, recordId) {
          if (!linkedRows.has(other))
            linkedRows.set(
              other,
              read(other).then((rs) => new Map(rs.map((r) => [r.recordId, r]))),
            );
          return (await linkedRows.get(other)!).get(recordId);
        },
      },
      deps.templates.table(table),
      rows.map(({ recordId, modifiedAt, values }) => ({ recordId, modifiedAt, values })),
      report,
    );
  }

  /**
   * A row of 人员与角色, 团队 or 工作日历 the directory could not use (no Feishu account, an unknown role, a team
   * without a code, a day that is no date …): its last editor — else the admins — told once by DM, as for a settings
   * row (problems/problem-notices.ts); only for the tables this run read, whose problems it knows in full.
   */
  async function tellDirectoryProblems(tables: readonly SyncTable[], report: SyncReport): Promise<void> {
    if (!deps.tell) return;
    const notices = { db, directory: deps.directory, log: deps.log, tell: deps.tell };
    for (const table of SYNC_TABLES) {
      if (!tables.includes(table)) continue;
      const problems = report.problems
        .filter((p) => p.table === table && p.recordId)
        .map((p) => ({ recordId: p.recordId, field: '', value: '', message: p.message }));
      const rows = problems.length ? await read(table) : [];
      await tellProblems(
        notices,
        deps.templates.table(table),
        rows.map(({ recordId, modifiedAt, values }) => ({ recordId, modifiedAt, values })),
        problems,
        DIRECTORY_ROW_NOT_USED,
      );
    }
  }

  async function run(tables: readonly SyncTable[]): Promise<SyncReport> {
    const report: SyncReport = { tables: [...tables], settings: {}, problems: [] };
    if (tables.includes('people') || tables.includes('teams')) await syncPeopleAndTeams(tables, report);
    if (tables.includes('business_calendar')) await syncCalendar(report);
    for (const table of tables)
      if (!(SYNC_TABLES as readonly string[]).includes(table)) await syncSettingsFrom(table, report);
    await tellDirectoryProblems(tables, report);
    for (const p of report.problems)
      deps.log.warn(
        { table: p.table, recordId: p.recordId, problem: p.message },
        'bitable row not used by the directory',
      );
    // A run that changed nothing is not news: debug, so a quiet deployment logs nothing every 10 minutes.
    const changed =
      Boolean(report.people?.deactivated || report.teams?.deactivated || report.problems.length) ||
      Object.values(report.settings ?? {}).some((o) => o === 'saved' || o === 'reverted');
    deps.log[changed ? 'info' : 'debug'](
      {
        tables,
        people: report.people,
        teams: report.teams,
        settings: report.settings,
        problems: report.problems.length,
      },
      'directory synced from bitable',
    );
    return report;
  }

  /** Every table the directory reads: its own three and each declared setting's source table. */
  const allTables = (): SyncTable[] => [
    ...SYNC_TABLES,
    ...new Set(deps.settings.sources().map((s) => s.source!.table)),
  ];

  // One sync at a time per process; changes arriving meanwhile share the next run.
  let tail: Promise<unknown> = Promise.resolve();
  let next: { tables: Set<SyncTable>; run: Promise<SyncReport> } | undefined;
  return {
    allTables,
    /** Re-reads `tables` (all by default) from the mirror and updates the directory and the settings. */
    sync(tables: readonly SyncTable[] = allTables()): Promise<SyncReport> {
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
