import { calendarDay, zonedParts } from '../../../core/zoned-time.js';
import { CONTRACT_TYPES, CURRENCIES, type Currency } from '../logic/contract.js';
import { isIsoDate } from '../logic/dates.js';
import { formatNumber, sequenceScope } from '../logic/number.js';
import type { RiskSummary } from '../logic/risk.js';
import { repo, type ContractRow } from '../repository.js';
import { badInput, lostRace, queueEffects, type ContractDeps } from './context.js';
import { checkRisk } from './risk.js';
import { startApproval } from './approvals.js';

export interface NewContractInput {
  source: string;
  externalId?: string | null;
  /** An existing contract's number (imports); otherwise the rule makes one. */
  contractNo?: string | null;
  title: string;
  counterparty: string;
  creditCode?: string | null;
  type: string;
  productType?: string | null;
  shopType?: string | null;
  custom?: Record<string, unknown>;
  /** In the contract's currency, in fen (cents). */
  amountFen: number;
  currency: string;
  signDate?: string | null;
  startDate: string;
  endDate: string;
  noticeDays?: number | null;
  autoRenew?: boolean;
  ownerOpenId: string;
  department?: string | null;
  budgetCode?: string | null;
  files?: string[];
  requesterOpenId?: string | null;
  renewsId?: number | null;
  /** Straight into approval (default) or kept as a draft. */
  submit?: boolean;
  /**
   * From a card click: Feishu waits at most 3 s for the answer (FEISHU.md §b.1), and the provider may take its whole
   * timeout — so the contract is stored as a draft and the risk check and submission run from the queue.
   */
  deferRisk?: boolean;
}

const MAX_FEN = 1e15;

/** The checks every intake shares (API, chat, card form, Bitable); each names the field to fix. */
export function validate(input: NewContractInput): { currency: Currency } {
  if (!input.title.trim()) throw badInput('请填写合同名称 · The title is required', 'title');
  if (!input.counterparty.trim()) throw badInput('请填写相对方 · The counterparty is required', 'counterparty');
  if (!(CONTRACT_TYPES as readonly string[]).includes(input.type))
    throw badInput(
      `未知合同类型「${input.type.slice(0, 40)}」，可选：${CONTRACT_TYPES.join(', ')} · Unknown contract type`,
      'type',
    );
  const currency = input.currency.trim().toUpperCase();
  if (!(CURRENCIES as readonly string[]).includes(currency))
    throw badInput(
      `不支持的币种「${input.currency.slice(0, 20)}」，可选：${CURRENCIES.join(', ')} · Unknown currency`,
      'currency',
    );
  if (!Number.isSafeInteger(input.amountFen))
    throw badInput('金额须精确到分 · The amount must be whole cents', 'amount');
  if (input.amountFen < 0) throw badInput('金额不能为负数 · The amount must not be negative', 'amount');
  if (input.amountFen > MAX_FEN) throw badInput('金额过大 · The amount is too large', 'amount');
  for (const [field, value] of [
    ['startDate', input.startDate],
    ['endDate', input.endDate],
    ['signDate', input.signDate],
  ] as const) {
    if (value !== undefined && value !== null && !isIsoDate(value))
      throw badInput(`日期格式应为 YYYY-MM-DD：${String(value).slice(0, 20)} · Dates are YYYY-MM-DD`, field);
  }
  if (input.endDate < input.startDate)
    throw badInput(
      `到期日期 ${input.endDate} 早于生效日期 ${input.startDate} · The end date is before the start date`,
      'endDate',
    );
  if (
    input.noticeDays !== undefined &&
    input.noticeDays !== null &&
    (!Number.isInteger(input.noticeDays) || input.noticeDays < 0 || input.noticeDays > 3650)
  ) {
    throw badInput('通知期须为 0–3650 的整数天 · The notice period is 0–3650 whole days', 'noticeDays');
  }
  return { currency: currency as Currency };
}

export interface Created {
  created: boolean;
  contract: ContractRow;
  risk?: RiskSummary;
}

/**
 * A new contract: checked, numbered by the rule (one counter per year and type, safe under
 * concurrent intakes), risk-checked (a slow or broken provider shows "unknown", never blocks),
 * and sent into its approval chain. The same `source` + `externalId` again returns the first.
 */
export async function createContract(x: ContractDeps, input: NewContractInput, now: Date): Promise<Created> {
  const { currency } = validate(input);
  const db = x.database.db;
  if (input.externalId) {
    const existing = await repo.bySourceExternal(db, input.source, input.externalId);
    if (existing) return { created: false, contract: existing };
  }
  if (input.contractNo && (await repo.byNo(db, input.contractNo)))
    throw badInput(`合同编号 ${input.contractNo} 已存在 · Contract number already exists`, 'contractNo');
  const s = await x.settings.snapshot();
  const budget = input.budgetCode ? await repo.budgetByCode(db, input.budgetCode) : undefined;
  if (input.budgetCode && !budget)
    throw badInput(`未知预算科目 ${input.budgetCode} · Unknown budget code`, 'budgetCode');
  const rate = s.get(x.settings.fx).rates[currency];
  if (!rate) throw badInput(`缺少 ${currency} 汇率 · No exchange rate for ${currency}`, 'currency');

  const cp = await repo.ensureCounterparty(db, input.counterparty.trim(), input.creditCode?.trim() || null);
  // Off the transaction: the provider may take up to its timeout (on a card click: off the callback, in the queue).
  const risk = input.deferRisk ? null : await checkRisk(x, cp, now);
  const wall = zonedParts(now, x.config.timeZone);
  const rule = s.get(x.settings.numbers);

  const contract = await x.database.transaction(async (tx) => {
    const contractNo =
      input.contractNo ??
      formatNumber(
        rule,
        { year: wall.year, month: wall.month, type: input.type },
        await repo.nextSequence(tx.db, sequenceScope(rule, { year: wall.year, month: wall.month, type: input.type })),
      );
    const row = await repo.insertContract(tx.db, {
      contractNo,
      title: input.title.trim(),
      counterpartyId: cp.id,
      type: input.type,
      productType: input.productType ?? null,
      shopType: input.shopType ?? null,
      custom: input.custom ?? {},
      amountFen: input.amountFen,
      currency,
      amountCnyFen: Math.round(input.amountFen * rate),
      signDate: input.signDate ?? null,
      startDate: input.startDate,
      endDate: input.endDate,
      noticeDays: input.noticeDays ?? null,
      autoRenew: input.autoRenew ?? false,
      ownerOpenId: input.ownerOpenId,
      department: input.department ?? null,
      budgetId: budget?.id ?? null,
      files: input.files ?? [],
      state: 'draft',
      renewsId: input.renewsId ?? null,
      risk: risk as unknown as Record<string, unknown> | null,
      riskLevel: risk?.level ?? null,
      source: input.source,
      externalId: input.externalId ?? null,
      requesterOpenId: input.requesterOpenId ?? input.ownerOpenId,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) return undefined; // the same intake committed meanwhile
    await repo.addHistory(tx.db, {
      contractId: row.id,
      state: 'draft',
      action: 'created',
      actorOpenId: input.requesterOpenId ?? null,
      at: now,
    });
    // The submission is queued with the contract, whether or not its risk is known yet: a process that
    // dies right after this commit still starts the approval (the queued job does it after a restart).
    if (input.submit === false) await queueEffects(x, tx, row, [{ type: 'requester_card' }]);
    else await queueEffects(x, tx, row, [{ type: 'submit' }]);
    return row;
  });
  if (!contract)
    return { created: false, contract: (await repo.bySourceExternal(db, input.source, input.externalId!))! };
  if (input.submit === false || !risk) return { created: true, contract, ...(risk ? { risk } : {}) };
  // Risk known already: start at once so the answer shows the chain. The queued submit finds it started
  // (or, if it was quicker, this finds the contract submitted and answers with it).
  try {
    return { created: true, contract: await startApproval(x, contract, input.requesterOpenId ?? null, now), risk };
  } catch (err) {
    if (!lostRace(err)) throw err;
    return { created: true, contract: (await repo.get(db, contract.id)) ?? contract, risk };
  }
}

export const todayOf = (x: ContractDeps, now: Date): string => calendarDay(now, x.config.timeZone);
