import { describe, expect, it } from 'vitest';
import {
  availableActions,
  clockStatusIn,
  ClockPolicy,
  transition,
} from '../../../../src/domains/exceptions/logic/state-machine.js';
import { aCase, agent, lead, manager, sh, system, warehouse } from './factories.js';

const now = sh('2026-11-25T10:00');

describe('exception case state machine', () => {
  it('lets a lead assign a new case, which records the owner and the state change', () => {
    const result = transition(
      aCase({ state: 'new', ownerId: null }),
      { type: 'assign', assigneeId: 'ou_amy' },
      lead(),
      now,
    );
    expect(result).toEqual({
      ok: true,
      case: { id: 'EX-1', state: 'assigned', ownerId: 'ou_amy', approverRole: null },
      change: { state: 'assigned', at: now },
      changed: true,
    });
  });

  it('refuses an agent assigning cases, in Chinese and English', () => {
    const result = transition(
      aCase({ state: 'new', ownerId: null }),
      { type: 'assign', assigneeId: 'ou_amy' },
      agent(),
      now,
    );
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'not_permitted',
        message: { zh: '你没有权限执行此操作', en: 'You are not allowed to assign this case' },
      },
    });
  });

  it('lets only the owner (or a lead) start work on an assigned case', () => {
    const assigned = aCase({ state: 'assigned', ownerId: 'ou_agent' });
    expect(transition(assigned, { type: 'start' }, agent('ou_agent'), now).ok).toBe(true);
    expect(transition(assigned, { type: 'start' }, lead(), now).ok).toBe(true);
    const other = transition(assigned, { type: 'start' }, agent('ou_someone_else'), now);
    expect(other.ok ? null : other.refusal.code).toBe('not_permitted');
  });

  it('moves a case to waiting on the warehouse and back when the warehouse fills the field', () => {
    const waiting = transition(aCase(), { type: 'wait_warehouse' }, system, now);
    expect(waiting.ok && waiting.case.state).toBe('waiting_warehouse');
    const filled = transition(aCase({ state: 'waiting_warehouse' }), { type: 'field_filled' }, warehouse(), now);
    expect(filled.ok && filled.case.state).toBe('in_progress');
  });

  it('refuses to resolve a case still waiting on the customer, naming the state', () => {
    const result = transition(aCase({ state: 'waiting_customer' }), { type: 'resolve' }, agent(), now);
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'not_allowed_in_state',
        message: { zh: '「待客户」状态下不能执行此操作', en: 'Cannot resolve a case that is waiting on customer' },
      },
    });
  });

  it('lets only the designated approver role approve, and clears the pending approver', () => {
    const requested = transition(aCase(), { type: 'request_approval', approverRole: 'manager' }, agent(), now);
    expect(requested.ok && requested.case).toMatchObject({ state: 'pending_approval', approverRole: 'manager' });
    const pending = aCase({ state: 'pending_approval', approverRole: 'manager' });
    const byLead = transition(pending, { type: 'approve' }, lead(), now);
    expect(byLead.ok ? null : byLead.refusal.code).toBe('not_permitted');
    const byManager = transition(pending, { type: 'approve' }, manager(), now);
    expect(byManager.ok && byManager.case).toMatchObject({ state: 'in_progress', approverRole: null });
  });

  it('refuses a second approval click once the case has left pending approval', () => {
    const pending = aCase({ state: 'pending_approval', approverRole: 'lead' });
    const first = transition(pending, { type: 'approve' }, lead(), now);
    if (!first.ok) throw new Error('first approval should pass');
    const second = transition(first.case, { type: 'approve' }, lead('ou_lead2'), now);
    expect(second.ok ? null : second.refusal.code).toBe('not_allowed_in_state');
  });

  it('requires a reason to reject, reopen or cancel', () => {
    const pending = aCase({ state: 'pending_approval', approverRole: 'lead' });
    const reject = transition(pending, { type: 'reject', reason: '  ' }, lead(), now);
    expect(reject.ok ? null : reject.refusal).toEqual({
      code: 'reason_required',
      message: { zh: '请填写原因', en: 'A reason is required' },
    });
    const cancel = transition(aCase(), { type: 'cancel', reason: '' }, lead(), now);
    expect(cancel.ok ? null : cancel.refusal.code).toBe('reason_required');
    const ok = transition(pending, { type: 'reject', reason: '证据不足 Not enough evidence' }, lead(), now);
    expect(ok.ok && ok.case.state).toBe('in_progress');
  });

  it('escalates a pending approval to a higher role without changing state', () => {
    const pending = aCase({ state: 'pending_approval', approverRole: 'lead' });
    const result = transition(pending, { type: 'escalate_approval', approverRole: 'manager' }, lead(), now);
    expect(result).toMatchObject({
      ok: true,
      changed: false,
      case: { state: 'pending_approval', approverRole: 'manager' },
    });
    const same = transition(pending, { type: 'escalate_approval', approverRole: 'lead' }, lead(), now);
    expect(same.ok ? null : same.refusal.code).toBe('same_approver');
  });

  it('resolves, closes and lets a lead (not the agent) reopen', () => {
    const resolved = transition(aCase(), { type: 'resolve' }, agent(), now);
    expect(resolved.ok && resolved.case.state).toBe('resolved');
    const closed = transition(aCase({ state: 'resolved' }), { type: 'close' }, system, now);
    expect(closed.ok && closed.case.state).toBe('closed');
    const byAgent = transition(aCase({ state: 'closed' }), { type: 'reopen', reason: '客户再次投诉' }, agent(), now);
    expect(byAgent.ok ? null : byAgent.refusal.code).toBe('not_permitted');
    const byLead = transition(aCase({ state: 'closed' }), { type: 'reopen', reason: '客户再次投诉' }, lead(), now);
    expect(byLead.ok && byLead.case.state).toBe('in_progress');
  });

  it('cannot cancel a closed case', () => {
    const result = transition(aCase({ state: 'closed' }), { type: 'cancel', reason: 'dup' }, manager(), now);
    expect(result.ok ? null : result.refusal.code).toBe('not_allowed_in_state');
  });

  it('lists the buttons an owner may press on an in-progress case', () => {
    expect(availableActions(aCase(), agent())).toEqual([
      'wait_warehouse',
      'wait_customer',
      'wait_platform',
      'request_approval',
      'resolve',
    ]);
  });

  it('pauses the clock while waiting on customer or platform, not on the warehouse; stops when finished', () => {
    expect(clockStatusIn('waiting_customer')).toBe('paused');
    expect(clockStatusIn('waiting_platform')).toBe('paused');
    expect(clockStatusIn('waiting_warehouse')).toBe('running');
    expect(clockStatusIn('resolved')).toBe('stopped');
    const custom = ClockPolicy.parse({ pausingStates: ['waiting_customer', 'waiting_platform', 'waiting_warehouse'] });
    expect(clockStatusIn('waiting_warehouse', custom)).toBe('paused');
  });
});
