import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ForbiddenError } from '../../src/core/errors.js';
import { defineModule } from '../../src/core/module.js';
import type { Deps } from '../../src/deps.js';
import { blockNetwork, buildTestApp, type TestApp } from '../helpers/app.js';
import { cardAction, signed } from '../helpers/events.js';
import { readFileSync } from 'node:fs';

const Approve = z.object({ action: z.literal('req.approve'), id: z.string().min(1) });

// A tiny workflow: one approver may approve a pending request once.
const requests = defineModule<Deps>({
  name: 'req',
  setup(bot, deps) {
    bot.cardAction('req.approve', Approve, async (ctx) => {
      if (ctx.operator.openId !== 'ou_approver') throw new ForbiddenError();
      return deps.database.transaction(async (tx) => {
        const { rows } = await tx.query(
          `update test_requests set status = 'approved', approved_by = $2 where id = $1 and status = 'pending'
            returning id`,
          [ctx.value.id, ctx.operator.openId],
        );
        if (rows.length === 0) return { toast: { type: 'info' as const, content: '已处理过 · Already handled' } };
        await tx.query('insert into test_effects (request_id) values ($1)', [ctx.value.id]);
        return {
          toast: { type: 'success' as const, content: '已同意 · Approved' },
          card: {
            schema: '2.0',
            header: { title: { tag: 'plain_text', content: '已同意 Approved' }, template: 'green' },
            body: { elements: [] },
          },
        };
      });
    });
  },
});

describe('card callbacks', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [requests] });
    await t.database.exec(`
      create table test_requests (id text primary key, status text not null, approved_by text);
      create table test_effects (id serial primary key, request_id text not null);
      insert into test_requests (id, status) values ('r1', 'pending'), ('r2', 'pending'), ('r3', 'pending');`);
  });
  afterAll(() => t.close());

  const click = async (value: unknown, openId = 'ou_approver', url = '/webhook/card') => {
    const res = await t.app.inject({ method: 'POST', url, ...signed(cardAction(value, { openId })) });
    return { status: res.statusCode, body: res.json() };
  };

  it('applies the action and answers with a toast and the updated card', async () => {
    const res = await click({ action: 'req.approve', id: 'r1' });
    expect(res.status).toBe(200);
    expect(res.body.toast).toEqual({ type: 'success', content: '已同意 · Approved' });
    expect(res.body.card.type).toBe('raw');
    expect(res.body.card.data.header.template).toBe('green');
    const { rows } = await t.database.query('select status, approved_by from test_requests where id = $1', ['r1']);
    expect(rows[0]).toEqual({ status: 'approved', approved_by: 'ou_approver' });
  });

  it('has one effect when two clicks arrive at once', async () => {
    const results = await Promise.all([
      click({ action: 'req.approve', id: 'r2' }),
      click({ action: 'req.approve', id: 'r2' }, 'ou_approver', '/webhook/event'),
    ]);
    expect(results.map((r) => r.body.toast.type).sort()).toEqual(['info', 'success']);
    const { rows } = await t.database.query('select count(*)::int as n from test_effects where request_id = $1', [
      'r2',
    ]);
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('refuses someone without the right with an error toast', async () => {
    const res = await click({ action: 'req.approve', id: 'r3' }, 'ou_intruder');
    expect(res.status).toBe(200);
    expect(res.body.toast.type).toBe('error');
    expect(res.body.toast.content).toContain('没有权限');
    const { rows } = await t.database.query('select status from test_requests where id = $1', ['r3']);
    expect(rows[0]).toEqual({ status: 'pending' });
  });

  it('answers an unknown action with an error toast, not a 500', async () => {
    const res = await click({ action: 'nobody.knows' });
    expect(res.status).toBe(200);
    expect(res.body.toast).toMatchObject({ type: 'error' });
    expect(res.body.toast.content).toContain('Unknown action');
  });

  it('answers a malformed value with an error toast', async () => {
    for (const value of [{ action: 'req.approve' }, 'not json', 42, null, { action: 'req.approve', id: 7 }]) {
      const res = await click(value);
      expect(res.status).toBe(200);
      expect(res.body.toast.type).toBe('error');
    }
  });

  it('answers the help button with the help card', async () => {
    const res = await click({ action: 'core.help' }, 'ou_anyone');
    expect(res.body.card.data.header.title.content).toContain('帮助');
  });

  it('accepts the official card.action.trigger example shape', async () => {
    const sample = JSON.parse(
      readFileSync(new URL('../fixtures/feishu-samples/card.action.trigger.json', import.meta.url), 'utf8'),
    );
    sample.header.token = 'test-verification-token-DO-NOT-LOG';
    sample.header.create_time = String(Date.now());
    const res = await t.app.inject({ method: 'POST', url: '/webhook/card', ...signed(sample) });
    expect(res.statusCode).toBe(200);
    expect(res.json().toast.type).toBe('error'); // its value names no action of ours
  });
});
