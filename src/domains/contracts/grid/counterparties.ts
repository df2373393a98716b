import type { Db } from '../../../db/client.js';
import type { FieldOwner, Refusal, TableSpec } from '../../../mirror/index.js';
import { RISK_NAME } from '../bitable.js';
import type { BudgetRow, CounterpartyRow } from '../repository.js';
import { checked, merged, refusedAdd, textOf, type Cells } from './cells.js';
import { gridRepo } from './repository.js';

/** 相对方: rows people add and keep (names, credit codes, the blacklist and the watchlist); the bot adds risk. */
export const COUNTERPARTY_TABLE = 'counterparties';

const PEOPLE = [
  'party_name',
  'credit_code',
  'party_type',
  'contact_name',
  'contact_phone',
  'contact_email',
  'website',
  'office',
  'established_on',
  'blacklisted',
  'blacklist_reason',
  'watchlisted',
  'watch_reason',
  'note',
] as const;
const BOT = [
  'registration_status',
  'registered_capital',
  'risk_level',
  'last_checked_at',
  'contracts',
  'created_at',
  'updated_at',
] as const;
export const COUNTERPARTY_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);

// GB 32100-2015: 18 characters, digits and capital letters without I, O, S, V, Z.
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** A counterparty as its row (codec input form): what the workflow holds. */
export function counterpartyRow(c: CounterpartyRow): Record<string, unknown> {
  return {
    party_name: c.name,
    credit_code: c.creditCode,
    blacklisted: c.list === 'black',
    blacklist_reason: c.blacklistReason ?? (c.list === 'black' ? c.listReason : null),
    watchlisted: c.list === 'watch',
    watch_reason: c.watchReason ?? (c.list === 'watch' ? c.listReason : null),
    risk_level: c.riskLevel ? (RISK_NAME[c.riskLevel] ?? null) : null,
    last_checked_at: c.checkedAt,
  };
}

type Party = Pick<CounterpartyRow, 'name' | 'creditCode' | 'list' | 'listReason' | 'blacklistReason' | 'watchReason'>;

/** The row's cells → a counterparty, or why not (by field). `edited`: the keys a person changed (for blame). */
function partyOf(cells: Cells, edited: ReadonlySet<string>): { party: Party; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const name = textOf(cells.party_name);
  if (!name) refusals.push({ key: 'party_name', reason: '名称不能为空 · The name cannot be empty' });
  const creditCode = textOf(cells.credit_code)?.toUpperCase() ?? null;
  if (creditCode && !CREDIT_CODE.test(creditCode))
    refusals.push({
      key: 'credit_code',
      reason: '统一社会信用代码须为 18 位数字或大写字母 · The credit code is 18 digits or capital letters',
    });
  const black = checked(cells.blacklisted);
  const blacklistReason = textOf(cells.blacklist_reason) ?? null;
  const watchReason = textOf(cells.watch_reason) ?? null;
  if (black && !blacklistReason)
    refusals.push({
      key: edited.has('blacklisted') || !edited.has('blacklist_reason') ? 'blacklisted' : 'blacklist_reason',
      reason: '列入黑名单须先填写拉黑原因 · Fill in 拉黑原因 before blacklisting',
    });
  const list = black ? 'black' : checked(cells.watchlisted) ? 'watch' : 'none';
  return {
    party: {
      name: name ?? '',
      creditCode,
      list,
      listReason: list === 'black' ? blacklistReason : list === 'watch' ? watchReason : null,
      blacklistReason,
      watchReason,
    },
    refusals,
  };
}

export interface GridDeps {
  db: Db;
  timeZone: string;
  /** A plain-text DM to whoever added a row the workflow could not take (`key`: idempotency). */
  tell(openId: string, key: string, text: string): Promise<void>;
  /**
   * A budget line's change from 预算, in one transaction with the 90 % check (service/budget-crossings.ts), so a new
   * 预算金额 that takes the line over 90 % used tells its owner once, and one that takes it back below re-arms it.
   */
  changeBudget(change: (db: Db) => Promise<BudgetRow | undefined>): Promise<BudgetRow | undefined>;
}

/** The declaration of 相对方: rows people add become counterparties; a bad edit is put back, the editor told why. */
export function counterpartyTableSpec(
  deps: GridDeps,
  options: { withEdits: boolean } = { withEdits: true },
): TableSpec<CounterpartyRow> {
  const { db } = deps;
  return {
    owner: COUNTERPARTY_OWNERS,
    label: '相对方',
    numberOf: (c) => c.name,
    load: async (recordId) => gridRepo.counterpartyByRecord(db, recordId),
    recordIdOf: (c) => c.bitableRecordId,
    toRow: (c) => counterpartyRow(c),
    async onWritten(c, written) {
      if (c.bitableRecordId !== written.recordId) await gridRepo.setCounterpartyRecord(db, c.id, written.recordId);
    },
    ...(options.withEdits
      ? {
          async onEdit(edit) {
            const keys = new Set(edit.fields.map((f) => f.key));
            const current = counterpartyRow(edit.entity);
            let { party, refusals } = partyOf(merged(current, edit.fields), keys);
            if (
              party.name &&
              party.name !== edit.entity.name &&
              (await gridRepo.nameTaken(db, party.name, edit.entity.id))
            )
              refusals.push({ key: 'party_name', reason: '已有同名相对方 · Another counterparty has this name' });
            refusals = refusals.filter((r) => keys.has(r.key));
            if (refusals.length > 0) {
              // The rest of the edit still counts: re-read with the refused cells as the workflow has them.
              const kept = edit.fields.filter((f) => !refusals.some((r) => r.key === f.key));
              party = partyOf(merged(current, kept), new Set()).party;
            }
            await gridRepo.saveCounterparty(db, edit.entity.id, { ...party, bitableRecordId: edit.recordId });
            return refusals;
          },
          async onAdd(row) {
            const name = textOf(row.values.party_name);
            if (!name) return undefined; // not a counterparty yet: the row waits for its name
            const { party, refusals } = partyOf(row.values, new Set(Object.keys(row.values)));
            const existing = await gridRepo.counterpartyByName(db, name);
            if (existing?.bitableRecordId && existing.bitableRecordId !== row.recordId)
              refusals.push({
                key: 'party_name',
                reason: `已有同名相对方「${name}」，请在原行修改 · ${name} already has a row; edit that one`,
              });
            if (refusals.length > 0) {
              if (row.operatorOpenId)
                await deps.tell(
                  row.operatorOpenId,
                  `${row.key}:refused`,
                  refusedAdd(
                    '相对方',
                    name,
                    refusals.map((r) => r.reason),
                  ),
                );
              return undefined;
            }
            // A counterparty contracts already named (no row yet) is adopted by the row.
            return gridRepo.saveCounterparty(db, existing?.id ?? null, { ...party, bitableRecordId: row.recordId });
          },
        }
      : {}),
  };
}
