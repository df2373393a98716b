import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import { repo, type CaseRow, type ClaimRow } from '../repository.js';
import { commitChange, type ExceptionDeps } from './context.js';
import { loadCase } from './act.js';

/** What a case's money moved by: amounts at risk are set, the rest accumulate. */
export interface MoneyEntry {
  amountAtRiskFen?: number | undefined;
  refundedFen?: number | undefined;
  writtenOffFen?: number | undefined;
}

export async function recordMoney(
  x: ExceptionDeps,
  caseId: number,
  entry: MoneyEntry,
  by: string,
  now: Date,
): Promise<CaseRow> {
  const c = await loadCase(x, caseId);
  return commitChange(x, {
    current: c,
    patch: {
      ...(entry.amountAtRiskFen !== undefined ? { amountAtRiskFen: entry.amountAtRiskFen } : {}),
      refundedFen: c.refundedFen + (entry.refundedFen ?? 0),
      writtenOffFen: c.writtenOffFen + (entry.writtenOffFen ?? 0),
    },
    action: 'money',
    actor: by,
    now,
    details: { ...entry },
  });
}

export const Counterparty = z.enum(['carrier', 'platform', 'customer', 'supplier', 'other']);
export type Counterparty = z.infer<typeof Counterparty>;

export interface NewClaim {
  counterpartyType: Counterparty;
  counterparty?: string | undefined;
  claimFen: number;
  ownerOpenId?: string | undefined;
}

/** Opens a loss-recovery claim (资损追款) on a case; its owner defaults to the case owner. */
export async function openClaim(
  x: ExceptionDeps,
  caseId: number,
  input: NewClaim,
  by: string,
  now: Date,
): Promise<ClaimRow> {
  const c = await loadCase(x, caseId);
  if (input.claimFen <= 0) throw new ValidationError('索赔金额须大于 0 · The claim amount must be above zero');
  let claim: ClaimRow | null = null;
  await commitChange(x, {
    current: c,
    patch: { amountAtRiskFen: Math.max(c.amountAtRiskFen, input.claimFen) },
    action: 'claim_opened',
    actor: by,
    now,
    details: { ...input },
    also: async (tx) => {
      claim = await repo.insertClaim(tx.db, {
        caseId,
        counterpartyType: input.counterpartyType,
        counterparty: input.counterparty ?? '',
        claimFen: input.claimFen,
        ownerOpenId: input.ownerOpenId ?? c.ownerOpenId,
        openedAt: now,
        lastActivityAt: now,
      });
    },
  });
  return claim!;
}

export interface Recovery {
  recoveredFen: number;
  writtenOffFen?: number | undefined;
}

/** Money back on a claim (or written off): the claim and its case move together, once. */
export async function recordRecovery(
  x: ExceptionDeps,
  claimId: number,
  input: Recovery,
  by: string,
  now: Date,
): Promise<ClaimRow> {
  const claim = await repo.getClaim(x.database.db, claimId);
  if (!claim) throw new NotFoundError('追款 claim', claimId);
  if (claim.state === 'recovered' || claim.state === 'written_off')
    throw new ConflictError('该追款已结束 · The claim is closed');
  const recovered = claim.recoveredFen + input.recoveredFen;
  const writtenOff = claim.writtenOffFen + (input.writtenOffFen ?? 0);
  if (recovered + writtenOff > claim.claimFen)
    throw new ValidationError('追回与核销合计不能超过索赔金额 · Recovered plus written off exceeds the claim');
  const done = recovered + writtenOff === claim.claimFen;
  const state = done
    ? recovered > 0
      ? 'recovered'
      : 'written_off'
    : recovered > 0
      ? 'partially_recovered'
      : claim.state;
  const c = await loadCase(x, claim.caseId);
  let updated: ClaimRow | null = null;
  await commitChange(x, {
    current: c,
    patch: {
      recoveredFen: c.recoveredFen + input.recoveredFen,
      writtenOffFen: c.writtenOffFen + (input.writtenOffFen ?? 0),
    },
    action: 'claim_recovery',
    actor: by,
    now,
    details: { claimId, ...input, state },
    also: async (tx) => {
      updated = await repo.updateClaim(tx.db, claimId, claim.recoveredFen, {
        recoveredFen: recovered,
        writtenOffFen: writtenOff,
        state,
        lastActivityAt: now,
        ...(done ? { closedAt: now } : {}),
      });
      if (!updated) throw new ConflictError('追款刚被他人更新，请重试 · The claim just changed; please retry');
    },
  });
  return updated!;
}
