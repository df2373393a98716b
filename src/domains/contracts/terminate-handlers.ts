import type { z } from 'zod';
import { ForbiddenError } from '../../core/errors.js';
import type { CardActionContext, CardActionResult } from '../../core/contexts.js';
import { contractCards } from './cards.js';
import { LIVE_STATES } from './logic/contract.js';
import type { ContractService } from './service/index.js';
import type { TerminateBackValue, TerminateFormValue, TerminateValue } from './values.js';

type Handler<V> = (ctx: CardActionContext<V>) => Promise<CardActionResult>;
const ALREADY = {
  type: 'info' as const,
  content: '已处理过或卡片已过期，已显示最新状态 · Already done or outdated; showing the current state',
};
const REFUSED = '只有经办人、法务或主管可以终止合同 · Only the owner, legal or a manager can terminate';

/**
 * 终止 on a contract's card (the requester's card, 合同 <编号>, an expiry reminder): the card becomes the reason form.
 * Someone who may not end it is told at once (the card stays); a card drawn before the contract changed, or a contract
 * no longer in force, shows the contract as it is now.
 */
export function handleTerminateForm(svc: ContractService): Handler<z.infer<typeof TerminateFormValue>> {
  return async (ctx) => {
    const { contractId, version } = ctx.value;
    const cards = contractCards(svc.deps.cards);
    const c = await svc.get(contractId);
    if (!LIVE_STATES.includes(c.state) || (version !== undefined && version !== c.version))
      return { toast: ALREADY, card: cards.contract(await svc.view(c.id)) };
    if (!(await svc.mayTerminate(c.id, ctx.operator.openId))) throw new ForbiddenError(REFUSED);
    return { card: cards.terminateForm(await svc.view(c.id)) };
  };
}

/**
 * The form's 确认终止: the service ends the contract for the version the form names (a second click finds it changed
 * and does nothing). A missing reason is a clear error toast and the form stays as typed.
 */
export function handleTerminate(svc: ContractService): Handler<z.infer<typeof TerminateValue>> {
  return async (ctx) => {
    const reason = typeof ctx.formValue.reason === 'string' ? ctx.formValue.reason : '';
    const r = await svc.terminate(
      ctx.value.contractId,
      ctx.value.version ?? null,
      reason,
      ctx.operator.openId,
      ctx.now,
    );
    const cards = contractCards(svc.deps.cards);
    if (!r.changed) return { toast: ALREADY, card: cards.contract(await svc.view(r.contract.id)) };
    return {
      toast: { type: 'success', content: '已终止 · Terminated' },
      card: cards.terminated(r.contract, reason.trim().slice(0, 500)),
    };
  };
}

/** The form's 返回: the contract's card as it is now. */
export function handleTerminateBack(svc: ContractService): Handler<z.infer<typeof TerminateBackValue>> {
  return async (ctx) => ({ card: contractCards(svc.deps.cards).contract(await svc.view(ctx.value.contractId)) });
}
