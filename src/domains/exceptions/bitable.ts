import { AppError } from '../../core/errors.js';
import type { TableSpec, FieldOwner, EditedField, Refusal } from '../../mirror/index.js';
import type { Db } from '../../db/client.js';
import type { CaseRow } from './repository.js';
import { repo } from './repository.js';
import type { ExceptionService } from './service/index.js';
import { caseNo, parseCaseNo } from './service/context.js';
import type { TableEdits } from './service/table-edit.js';
import { fitToLimit, LIMITS } from './limits.js';
import { isTerminal, PRIORITIES, type Priority } from './logic/case.js';
import { topStep, type EscalationStep } from './logic/escalation.js';
import { DEFAULT_KINDS } from './logic/kinds.js';

/**
 * The 异常件工单 table, declared once: who owns each column, a case as a row, and what people
 * may change there. The kit (src/mirror) does the writing, decoding and putting back.
 */
export const TABLE = 'exceptions';

// Domain priority → the template's option names (the table keeps Feishu's P1–P4 wording).
export const PRIORITY_NAME: Readonly<Record<Priority, string>> = { P1: 'P1 紧急', P2: 'P2 高', P3: 'P3 普通' };
// The template also offers 'P4 低'; the workflow has three priorities, so it reads as P3.
const PRIORITY_OF_NAME: Record<string, Priority> = {
  ...Object.fromEntries(PRIORITIES.map((p) => [PRIORITY_NAME[p], p])),
  'P4 低': 'P3',
};
const CHANNEL_NAME: Record<string, string> = {
  tmall: '天猫',
  jd: '京东',
  douyin: '抖音',
  pinduoduo: '拼多多',
  xiaohongshu: '小红书',
  wechat_mini: '微信小程序',
  store: '线下门店',
  offline_store: '线下门店',
  private: '私域社群',
  private_community: '私域社群',
};
const CHANNEL_OF_NAME: Record<string, string> = {
  天猫: 'tmall',
  京东: 'jd',
  抖音: 'douyin',
  拼多多: 'pinduoduo',
  小红书: 'xiaohongshu',
  微信小程序: 'wechat_mini',
  线下门店: 'store',
  私域社群: 'private',
};
const STATE_NAME: Record<string, string> = {
  new: '新建',
  assigned: '已分派',
  waiting_warehouse: '待仓库回填',
  in_progress: '处理中',
  waiting_customer: '待客户回复',
  waiting_platform: '待平台处理',
  pending_approval: '待审批',
  resolved: '已解决',
  closed: '已关闭',
  cancelled: '已取消',
};
// The kinds' names come from logic/kinds.ts, the one list (equal to the template's options).
const KIND_NAME: Record<string, string> = Object.fromEntries(DEFAULT_KINDS.map((k) => [k.id, k.label.zh]));
const KIND_OF_NAME = Object.fromEntries(Object.entries(KIND_NAME).map(([k, v]) => [v, k]));
const SOURCE_NAME: Record<string, string> = { chat: '聊天', card: '卡片表单', bitable: '多维表格', api: '系统接口' };
// The ladder's top rung sent → 升级级别's options (the template's names).
const ESCALATION_NAME: Readonly<Record<EscalationStep | 'none', string>> = {
  none: '未升级',
  warn_owner: '已预警负责人',
  notify_lead: '已升级组长',
  notify_manager: '已升级主管',
};

const PEOPLE = [
  'title',
  'channel',
  'shop',
  'order_no',
  'tracking_no',
  'return_tracking_no',
  'carrier',
  'customer_name',
  'customer_phone',
  'amount_at_risk',
  'description',
  'resolution',
  'attachments',
] as const;
const BOT = [
  'case_no',
  'kind',
  'priority',
  'state',
  'owner',
  'team',
  'reporter',
  'amount_refunded',
  'amount_recovered',
  'amount_written_off',
  'net_loss',
  'approval_state',
  'approver',
  'platform_deadline',
  'sla_due',
  'next_due',
  'escalation_level',
  'source',
  'external_id',
  'recovery_claims',
  'first_response_at',
  'resolved_at',
  'created_at',
  'updated_at',
  'created_by',
] as const;
export const CASE_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);

// Grid column → the case's field, for edits people may make.
const EDITS: Record<string, (v: EditedField['after']) => TableEdits> = {
  title: (v) => ({ title: str(v) }),
  shop: (v) => ({ shop: str(v) }),
  order_no: (v) => ({ orderNo: str(v) }),
  description: (v) => ({ description: str(v) }),
  resolution: (v) => ({ resolution: str(v) }),
  channel: (v) => ({ channel: v === null ? null : (CHANNEL_OF_NAME[String(v)] ?? String(v)) }),
  amount_at_risk: (v) => ({ amountAtRiskFen: typeof v === 'number' ? Math.round(v * 100) : null }),
  tracking_no: (v) => ({ numbers: { tracking_number: str(v) } }),
  return_tracking_no: (v) => ({ numbers: { return_tracking_number: str(v) } }),
};
const COLUMN_OF: Record<string, string> = {
  title: 'title',
  shop: 'shop',
  orderNo: 'order_no',
  description: 'description',
  resolution: 'resolution',
  channel: 'channel',
  amountAtRiskFen: 'amount_at_risk',
  'numbers.tracking_number': 'tracking_no',
  'numbers.return_tracking_number': 'return_tracking_no',
};

function str(v: EditedField['after']): string | null {
  return typeof v === 'string' ? v : v === null ? null : String(v);
}

/** A case as a row, by field key, in the codec's input form; fields the case does not hold are left out. */
export function caseRow(c: CaseRow): Record<string, unknown> {
  const yuan = (fen: number) => fen / 100;
  return {
    case_no: caseNo(c.id),
    title: c.title,
    kind: KIND_NAME[c.kind] ?? null,
    priority: PRIORITY_NAME[c.priority] ?? null,
    state: STATE_NAME[c.state] ?? null,
    channel: c.channel ? (CHANNEL_NAME[c.channel] ?? null) : null,
    source: SOURCE_NAME[c.source] ?? null,
    shop: c.shop ?? null,
    order_no: c.orderNo ?? null,
    tracking_no: c.fields.tracking_number ?? null,
    return_tracking_no: c.fields.return_tracking_number ?? null,
    owner: c.ownerOpenId ? [c.ownerOpenId] : [],
    reporter: c.reporterOpenId ? [c.reporterOpenId] : [],
    amount_at_risk: yuan(c.amountAtRiskFen),
    amount_refunded: yuan(c.refundedFen),
    amount_recovered: yuan(c.recoveredFen),
    amount_written_off: yuan(c.writtenOffFen),
    approval_state: c.approverRole ? '待审批' : null,
    platform_deadline: c.platformDueAt ?? null,
    resolved_at: c.resolvedAt ?? null,
    // A chat or card-form case's key is built from Feishu message ids: internal, not shown to people.
    external_id: c.source === 'chat' || c.source === 'card' ? null : (c.externalId ?? null),
    description: c.description || null,
    resolution: c.resolution ?? null,
  };
}

/** The declaration handed to `mirror.table(TABLE, …)` by the module. */
export function caseTableSpec(service: ExceptionService): TableSpec<CaseRow> {
  return { ...caseRows(service.deps.database.db), ...caseEdits(service) };
}

/**
 * Rows only (write and repair, no edits): what `feishu-ops sync` declares, so a sync run puts the
 * bot-owned columns right without running the workflow (the bot takes people's edits).
 */
export function caseRows(database: Db): TableSpec<CaseRow> {
  const db = () => database;
  return {
    owner: CASE_OWNERS,
    recordNo: 'case_no',
    label: '异常件工单',
    numberOf: (c) => caseNo(c.id),
    async load(no) {
      const id = parseCaseNo(no);
      return id ? ((await repo.getCase(db(), id)) ?? undefined) : undefined;
    },
    async toRow(c, links) {
      const [team, clock] = await Promise.all([links('teams', 'code', c.teamKey), gridClock(database, c)]);
      return { ...caseRow(c), ...clock, ...(team ? { team: [team] } : {}) };
    },
    recordIdOf: (c) => c.bitableRecordId ?? (c.source === 'bitable' ? c.externalId : null),
    async onWritten(c, written, row) {
      if (written.recordId !== c.bitableRecordId) await repo.setBitableRecord(db(), c.id, written.recordId);
      if (c.bitableRecordUrl) return;
      const url = await row.link();
      if (url) await repo.setBitableRecordUrl(db(), c.id, url);
    },
  };
}

/**
 * The clock columns: SLA截止时间 (the due time the last change computed; empty once finished or
 * while the clock is paused), 最近截止时间 (the sooner of that and the platform's deadline) and
 * 升级级别 (the top rung of the ladder sent).
 */
async function gridClock(database: Db, c: CaseRow): Promise<Record<string, unknown>> {
  const [due, steps] = await Promise.all([
    isTerminal(c.state) ? null : repo.dueAt(database, c.id),
    repo.escalationSteps(database, c.id),
  ]);
  const platform = !isTerminal(c.state) ? c.platformDueAt : null;
  const next =
    [due, platform].filter((d): d is Date => d instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  const top = topStep(steps) ?? 'none';
  return { sla_due: due, next_due: next, escalation_level: ESCALATION_NAME[top] };
}

function caseEdits(service: ExceptionService): Pick<TableSpec<CaseRow>, 'onEdit' | 'onAdd'> {
  return {
    async onEdit(edit) {
      const edits: TableEdits = {};
      for (const f of edit.fields) {
        const one = EDITS[f.key]?.(f.after);
        if (one) Object.assign(edits, one, one.numbers ? { numbers: { ...edits.numbers, ...one.numbers } } : {});
      }
      if (Object.keys(edits).length === 0) return [];
      const operator = edit.operatorOpenId ?? edit.entity.ownerOpenId ?? 'system';
      const refused = await service.editFromTable(edit.entity.id, edits, operator, edit.at);
      return refused.map((r): Refusal => ({ key: COLUMN_OF[r.field] ?? r.field, reason: r.reason }));
    },
    async onAdd(row) {
      const kind = KIND_OF_NAME[String(row.values.kind ?? '')];
      if (!kind) return undefined; // not a case yet: a row needs its 异常类型
      const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
      const amount =
        typeof row.values.amount_at_risk === 'number' && row.values.amount_at_risk >= 0
          ? Math.round(row.values.amount_at_risk * 100)
          : undefined;
      // Over-long free text is cut and kept (limits.ts), and the person who added the row is told.
      const title = fitToLimit('title', text(row.values.title) ?? '');
      const description = fitToLimit('description', text(row.values.description) ?? '');
      const tell = (step: string, message: string) =>
        row.operatorOpenId
          ? service.deps.feishu.messages.send({
              to: { openId: row.operatorOpenId },
              key: `${row.key}:${step}`,
              text: message,
            })
          : Promise.resolve();
      try {
        const created = await service.create(
          {
            source: 'bitable',
            externalId: row.recordId,
            kind,
            priority: PRIORITY_OF_NAME[String(row.values.priority ?? '')],
            title: title.text || undefined,
            orderNo: text(row.values.order_no),
            shop: text(row.values.shop),
            channel: CHANNEL_OF_NAME[String(row.values.channel ?? '')],
            description: description.text || undefined,
            amountAtRiskFen: amount,
            fields: {
              tracking_number: text(row.values.tracking_no),
              return_tracking_number: text(row.values.return_tracking_no),
            },
            reporterOpenId: row.operatorOpenId ?? null,
          },
          row.at,
        );
        const cut = [
          title.cut && `标题 title（${LIMITS.title}）`,
          description.cut && `描述 description（${LIMITS.description}）`,
        ]
          .filter(Boolean)
          .join('、');
        if (cut && created.created) {
          await tell(
            'cut',
            `多维表格「异常件工单」的新行已建为 ${caseNo(created.case.id)}；${cut} 超过字数上限，工单和表格中只保留了开头部分（以 … 结尾）。\nThe new row ` +
              `became ${caseNo(created.case.id)}; text over the limit was shortened ` +
              `(ending in …) in the case and the row.`,
          );
        }
        return created.case;
      } catch (err) {
        // A row that cannot be a case (bad values) stays a row; the person who added it is told why.
        if (!(err instanceof AppError)) throw err;
        service.deps.log.warn(
          { recordId: row.recordId, code: err.code, message: err.message },
          'bitable row could not become a case',
        );
        await tell(
          'refused',
          `多维表格「异常件工单」中的新行未能建成异常件：${err.message}\nThe new row in Bitable did not become a case.`,
        );
        return undefined;
      }
    },
  };
}
