import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { Logger } from '../../../core/logger.js';
import type { SettingSpec, SettingsStore, SourceInput, SourceRow } from '../../../core/settings.js';
import type { Db } from '../../../db/client.js';
import { shorten } from '../../../core/text.js';
import { faultOf } from '../problems/fault.js';
import { lastGoodRows } from '../problems/last-good-rows.js';
import { tellProblems, type ProblemNoticeDeps, type RowProblem } from '../problems/problem-notices.js';
import { checkRuleRow } from '../problems/rule-checks.js';
import { SETTINGS_TABLE, type SyncProblem } from './rows.js';
import { saveSetting, type SettingOutcome } from './store.js';

/** The bot's column of a settings table, when its template has one: why the row is not used, or empty. */
export const STATUS_FIELD = 'bot_status';

export interface SettingsTableDeps {
  db: Db;
  settings: SettingsStore;
  log: Logger;
  notices: ProblemNoticeDeps;
  now: Date;
  timeZone: string;
  optionKey: SourceInput['optionKey'];
  linked: SourceInput['linked'];
  /** Writes the bot's status cell of a row (null empties it); `key` makes a retry write once. */
  mark?: (table: string, recordId: string, text: string | null, key: string) => Promise<void>;
}

type Report = (recordId: string, message: string, field?: string) => void;
type Evaluated = Map<string, { value: unknown; problems: number; failed: boolean }>;

/**
 * The rows of a settings table (oldest edit first) handed to every setting declared from it. A
 * row with a problem — found by the table's own checks or by a setting — is never half applied:
 * its last version that every setting took stays in force (a new row is left out), its editor is
 * told once, and the settings are built again from the rows in force.
 */
export async function syncSettingsTable(
  deps: SettingsTableDeps,
  template: TableTemplate,
  rows: readonly SourceRow[],
  out: { problems: SyncProblem[]; settings: Record<string, SettingOutcome> },
): Promise<void> {
  const table = template.key;
  const specs = deps.settings.sources().filter((s) => s.source?.table === table);
  if (specs.length === 0) return;
  const good = lastGoodRows(deps.db, template);
  const held = await good.load();
  const byId = new Map(rows.map((r) => [r.recordId, r]));
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  const add: Report = (recordId, message, field) => {
    const fault = faultOf(template, byId.get(recordId), message, deps.timeZone, field);
    const p = { recordId, field: fault.field, value: fault.field ? fault.value : message, message };
    // Several settings read one table: a bad row is reported once.
    if (seen.has(`${recordId}\n${p.field}\n${p.value}`)) return;
    seen.add(`${recordId}\n${p.field}\n${p.value}`);
    problems.push(p);
  };
  const inForce = (bad: ReadonlySet<string>, from: readonly SourceRow[]): SourceRow[] =>
    from.flatMap((r) => {
      if (!bad.has(r.recordId)) return [r];
      const last = held.get(r.recordId);
      return last ? [{ ...r, values: last }] : [];
    });

  if (table === SETTINGS_TABLE)
    for (const r of rows) for (const c of checkRuleRow(template, r)) add(c.recordId, c.message, c.field);
  const checked = new Set(problems.map((p) => p.recordId));
  const first = inForce(checked, rows);
  // A row already replaced by its last good version is not what the person typed: its problems are not theirs.
  const pass = await evaluate(deps, specs, first, (id, message, field) => checked.has(id) || add(id, message, field));
  const bad = new Set(problems.map((p) => p.recordId).filter((id) => !checked.has(id)));
  const result = bad.size === 0 ? pass : await evaluate(deps, specs, inForce(bad, first), () => undefined);

  for (const spec of specs) {
    const r = result.get(spec.key);
    if (!r || r.failed) continue;
    // A setting whose rows all had problems says nothing new: the value in force stays.
    if (r.value === undefined && (pass.get(spec.key)?.problems ?? 0) > 0) {
      out.settings[spec.key] = 'kept';
      continue;
    }
    const valid = r.value === undefined ? undefined : spec.schema.safeParse(r.value);
    if (valid && !valid.success) {
      // No one row is at fault: the admins are told (no editor is known for row '').
      const why = valid.error.issues[0]?.message;
      add(
        '',
        `${spec.key} 的各行合起来无效，仍用原设置 the rows do not fit together (${why}); the previous value stays`,
      );
      continue;
    }
    const outcome = await saveSetting(deps.settings, spec.key, valid?.data);
    // A setting some of whose rows were skipped is not reported as read unchanged: its problems say more.
    if (outcome !== 'unchanged' || (pass.get(spec.key)?.problems ?? 0) === 0) out.settings[spec.key] = outcome;
  }
  const withProblems = new Set(problems.map((p) => p.recordId));
  await good.save(
    rows.filter((r) => !withProblems.has(r.recordId)),
    held,
    rows.map((r) => r.recordId),
  );
  await tellProblems(deps.notices, template, rows, problems);
  await markRows(deps, template, rows, problems);
  for (const p of problems) out.problems.push({ table, recordId: p.recordId, message: p.message });
}

async function evaluate(
  deps: SettingsTableDeps,
  specs: readonly SettingSpec[],
  rows: readonly SourceRow[],
  report: Report,
): Promise<Evaluated> {
  const out: Evaluated = new Map();
  for (const spec of specs) {
    const entry = { value: undefined as unknown, problems: 0, failed: false };
    const input: SourceInput = {
      rows,
      now: deps.now,
      timeZone: deps.timeZone,
      optionKey: deps.optionKey,
      linked: deps.linked,
      problem(recordId, message, field) {
        entry.problems++;
        report(recordId, message, field);
      },
    };
    try {
      entry.value = await spec.source!.map(input);
    } catch (err) {
      entry.failed = true;
      deps.log.error({ err, key: spec.key, table: spec.source!.table }, 'setting could not be read from its table');
    }
    out.set(spec.key, entry);
  }
  return out;
}

/**
 * The grid shows it too: the bot's status cell of a row with problems says why, and is emptied
 * once the row is fine. Written only when it differs, so a sync that changes nothing writes nothing.
 */
async function markRows(
  deps: SettingsTableDeps,
  template: TableTemplate,
  rows: readonly SourceRow[],
  problems: readonly RowProblem[],
): Promise<void> {
  if (!deps.mark || !template.fields.some((f) => f.key === STATUS_FIELD)) return;
  for (const row of rows) {
    const why = problems.filter((p) => p.recordId === row.recordId).map((p) => p.message);
    const text = why.length > 0 ? shorten(why.join('；'), 500) : null;
    const shown = row.values[STATUS_FIELD];
    if ((typeof shown === 'string' && shown.trim() ? shown.trim() : null) === text) continue;
    const generation = row.modifiedAt?.getTime() ?? 0;
    try {
      await deps.mark(template.key, row.recordId, text, `directory.setting-mark:${row.recordId}:${generation}`);
    } catch (err) {
      deps.log.warn({ err, table: template.key, recordId: row.recordId }, 'settings row status not written');
    }
  }
}
