import { loadTemplates } from '../../bitable/load-templates.js';
import type { SeedContext } from '../../core/seed.js';
import type { BitableMirror } from '../../mirror/index.js';
import { quote } from '../../mirror/mirror-ddl.js';
import { TEMPLATES_DIR } from '../../mirror/mirror-context.js';
import { teamKeyOf } from '../directory/rules.js';
import { directoryOf } from '../directory/service.js';
import { PRIORITY_NAME } from './bitable.js';
import { playDemoHistory } from './demo-history.js';
import { CaseKind, DEFAULT_KINDS } from './logic/kinds.js';
import { noMirror } from './mirror.js';
import { KIND_TABLE } from './settings/from-kinds.js';
import { createExceptionService, type ExceptionService } from './service/index.js';

/** 异常类型配置 filled with the built-in kinds, so leads see (and edit) how each kind is routed. */
async function seedKindRows(bitable: BitableMirror, database: ExceptionService['deps']['database']): Promise<number> {
  await bitable.provision();
  const table = quote(bitable.tableName(KIND_TABLE));
  if ((await database.query(`select 1 from ${table} limit 1`)).rows.length > 0) return 0;
  const teams = await database.query<{ record_id: string; code: string | null }>(
    `select record_id, code from ${quote(bitable.tableName('teams'))}`,
  );
  const teamRecord = new Map(
    teams.rows.flatMap((t) => (t.code && teamKeyOf(t.code) ? [[teamKeyOf(t.code)!, t.record_id] as const] : [])),
  );
  const names = (await loadTemplates(TEMPLATES_DIR)).table('exceptions').fields.find((f) => f.key === 'kind');
  const optionName = (id: string) =>
    names && names.type === 3 ? names.property.options.find((o) => o.key === id)?.name : undefined;
  const rows = DEFAULT_KINDS.map((input) => {
    const kind = CaseKind.parse(input);
    const awaited = kind.requiredFields.includes('return_tracking_number')
      ? '退货单号'
      : kind.requiredFields.includes('tracking_number')
        ? '物流单号'
        : '无';
    const team = teamRecord.get(kind.team);
    return {
      values: {
        kind_name: optionName(kind.id) ?? kind.label.zh,
        code: kind.id,
        team: team ? [team] : null,
        default_priority: PRIORITY_NAME[kind.priority],
        awaited_field: awaited,
        enabled: true,
        // 催办间隔, 平台时限 and SLA stay empty: 规则配置's general rules apply until a lead sets a kind's own.
        note: `${kind.label.zh} ${kind.label.en}`,
      },
    };
  });
  await bitable.writeRecords(KIND_TABLE, rows, { key: 'demo:exceptions:kinds' });
  return rows.length;
}

/** The module's demo data: its kinds in 异常类型配置 and, when asked, two weeks of history. */
export function exceptionsSeed(exceptions: ExceptionService, bitable: BitableMirror | undefined) {
  return async (ctx: SeedContext): Promise<void> => {
    const x = exceptions.deps;
    const kinds = bitable ? await seedKindRows(bitable, x.database) : 0;
    if (kinds > 0) ctx.log.info({ kinds }, 'exception kinds written to bitable');
    if (!ctx.history) return;
    // The history's follow-ups (cards, DMs, Bitable rows) are dropped: it happened in the past.
    // Its own steps are logged at debug only: the seeding is one line ("demo history seeded"), not one per step.
    const stepLog = ctx.log.child({}, { level: ctx.log.isLevelEnabled('debug') ? 'debug' : 'warn' });
    const quiet = createExceptionService({ ...x, jobs: { send: async () => null }, mirror: noMirror, log: stepLog });
    const cases = await playDemoHistory(
      {
        service: quiet,
        directory: directoryOf(x.database),
        countCases: async () =>
          (await x.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases')).rows[0]?.n ?? 0,
        timeZone: x.config.timeZone,
        log: stepLog,
      },
      ctx.now,
    );
    if (cases > 0) ctx.log.info({ cases }, 'demo history seeded');
  };
}
