import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { itemCauseEdit } from '../../../src/domains/qa/grid-root-cause.js';
import type { ReviewItemRow } from '../../../src/domains/qa/repository.js';
import { noMirror, type QaDeps } from '../../../src/domains/qa/service/context.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

const text = (card: unknown) => JSON.stringify(card);
const DAY = 86_400_000;
// A name of the QA lead's list with markup in it: shown as text on the agent's card, never as markup.
const ODD = '**流程**<at id=all>';

// Issue 10 §6 + §8: the agent's feedback DM shows each deduction's root cause; when the inspector or the QA lead
// changes a cause later in 评分明细 (the grid's 根因 on a scored row, grid-root-cause.ts), the DM follows.
describe("the agent's feedback DM after a root cause is changed later", () => {
  let t: QaTestApp;
  let x: QaDeps;
  let store: SettingsStore;

  /** 徐静 scores the next conversation with 话术 on the slow reply (PRO-01); the agent's DM goes out. */
  async function scored(externalId: string) {
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation(externalId)] });
    const asked = await say(t, '质检', 'ou_insp_1');
    const accept = buttons(t.feishu.replies(asked).at(-1)!.card).find((b) => b.accept === true)!;
    const res = await click(t, accept, { openId: 'ou_insp_1', formValue: { 'r_PRO-01': 'script' } });
    expect(res.toast).toMatchObject({ type: 'success' });
    await settle(t);
    const id = Number(accept.reviewId);
    const [review] = (
      await t.database.query<{ feedback_message_id: string; version: number }>(
        'select feedback_message_id, version from qa_reviews where id = $1',
        [id],
      )
    ).rows;
    expect(text(t.feishu.sent.find((s) => s.messageId === review!.feedback_message_id)!.card)).toContain(
      '根因 Root cause：话术',
    );
    return { id, messageId: review!.feedback_message_id, version: review!.version };
  }

  /** The grid's edit of 根因 on the PRO-01 row of the review, by `who`, as the mirror hands it over. */
  async function changeCause(r: { id: number; version: number }, typed: string, who: string, key: string) {
    const [item] = (await t.database.db.query.qaReviewItems.findMany({
      where: (i, { and, eq }) => and(eq(i.reviewId, r.id), eq(i.code, 'PRO-01')),
    })) as ReviewItemRow[];
    return itemCauseEdit(
      x,
      {
        entity: item!,
        recordNo: `QA${String(r.id).padStart(6, '0')}-PRO-01`,
        recordId: `rec_${r.id}`,
        fields: [{ key: 'root_cause', name: '根因', before: '话术', after: typed }],
        operatorOpenId: who,
        at: t.clock.now(),
        key,
      },
      { inspectorOpenId: 'ou_insp_1', version: r.version },
    );
  }

  beforeAll(async () => {
    t = await qaApp();
    store = new SettingsStore({ database: t.database, log: t.log });
    const settings = declareQaSettings(settingsHost(store, 'qa'));
    await store.save('qa.root_causes', { names: { script: '话术', process: ODD, system: '系统/工具' } }, 'ou_qa_lead');
    x = {
      database: t.database,
      directory: createDirectory({ db: t.database.db }),
      settings,
      feishu: t.deps.feishu,
      cards: t.deps.cards,
      jobs: t.deps.jobs,
      config: t.deps.config,
      log: t.log,
      mirror: noMirror,
    };
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('updates the same DM in place with the new cause, escaped; an unchanged cause sends nothing', async () => {
    const r = await scored('FB-CAUSE-1');
    expect(await changeCause(r, ODD, 'ou_insp_1', 'edit-1')).toEqual([]);
    await settle(t);
    const patches = t.feishu.patches(r.messageId);
    expect(patches).toHaveLength(1);
    const s = text(patches[0]!.card);
    expect(s).toContain('流程');
    expect(s).not.toContain('<at id=all>');
    expect(s).not.toContain('**流程**');
    expect(s).not.toContain('根因 Root cause：话术');
    // No second DM: the agent's chat still holds one card for the review.
    expect(
      t.feishu.to('ou_agent_1').filter((m) => text(m.card).includes(`QA${String(r.id).padStart(6, '0')}`)),
    ).toHaveLength(1);

    // The QA lead files it back under 话术: the same message again.
    await changeCause(r, '话术', 'ou_qa_lead', 'edit-2');
    await settle(t);
    expect(text(t.feishu.patches(r.messageId).at(-1)!.card)).toContain('根因 Root cause：话术');
    // The same cause typed again (a redelivered event): nothing to redraw.
    await changeCause(r, '话术', 'ou_qa_lead', 'edit-2');
    await settle(t);
    expect(t.feishu.patches(r.messageId)).toHaveLength(2);
  });

  it('someone else’s change is refused and the DM stays as it was', async () => {
    const r = await scored('FB-CAUSE-2');
    const refused = await changeCause(r, '系统/工具', 'ou_agent_1', 'edit-3');
    expect(refused).toHaveLength(1);
    await settle(t);
    expect(t.feishu.patches(r.messageId)).toHaveLength(0);
  });

  it('a DM older than 14 days (past the update window) is sent again with the new cause, and kept', async () => {
    const r = await scored('FB-CAUSE-3');
    t.clock.current = new Date(t.clock.now().getTime() + 15 * DAY);
    await changeCause(r, ODD, 'ou_insp_1', 'edit-4');
    await settle(t);
    expect(t.feishu.patches(r.messageId)).toHaveLength(0);
    const no = `QA${String(r.id).padStart(6, '0')}`;
    const mine = t.feishu.to('ou_agent_1').filter((m) => text(m.card).includes(no));
    expect(mine).toHaveLength(2);
    expect(text(mine[1]!.card)).toContain('流程');
    expect(text(mine[1]!.card)).not.toContain('<at id=all>');
    const [row] = (
      await t.database.query<{ feedback_message_id: string }>(
        'select feedback_message_id from qa_reviews where id = $1',
        [r.id],
      )
    ).rows;
    expect(row!.feedback_message_id).toBe(mine[1]!.messageId);
    // The next change updates the new DM in place.
    await changeCause(r, '话术', 'ou_insp_1', 'edit-5');
    await settle(t);
    expect(text(t.feishu.patches(mine[1]!.messageId).at(-1)!.card)).toContain('根因 Root cause：话术');
  });

  it('a decided appeal keeps its 申诉结果 line on the card drawn again for a later cause change', async () => {
    const r = await scored('FB-CAUSE-4');
    const feedback = t.feishu.sent.find((m) => m.messageId === r.messageId)!.card;
    const form = await click(
      t,
      buttons(feedback).find((b) => b.action === 'qa.appeal-form')!,
      { openId: 'ou_agent_1' },
    );
    const submit = buttons(form.card).find((b) => b.action === 'qa.appeal')!;
    await click(t, submit, { openId: 'ou_agent_1', formValue: { reason: '客户先离开了会话' } });
    await settle(t);
    const decide = t.feishu.to('ou_lead_tm').at(-1)!.card;
    const uphold = buttons(decide).find((b) => b.action === 'qa.decide' && b.decision === 'uphold')!;
    expect((await click(t, uphold, { openId: 'ou_lead_tm', formValue: { reason: '扣分合理' } })).toast).toMatchObject({
      type: 'success',
    });
    await settle(t);
    expect(text(t.feishu.patches(r.messageId).at(-1)!.card)).toContain('申诉结果 Appeal');
    const before = t.feishu.patches(r.messageId).length;

    const [now] = (await t.database.query<{ version: number }>('select version from qa_reviews where id = $1', [r.id]))
      .rows;
    expect(await changeCause({ id: r.id, version: now!.version }, ODD, 'ou_insp_1', 'edit-6')).toEqual([]);
    await settle(t);
    const patches = t.feishu.patches(r.messageId);
    expect(patches).toHaveLength(before + 1);
    const s = text(patches.at(-1)!.card);
    expect(s).toContain('流程');
    expect(s).toContain('申诉结果 Appeal');
    expect(s).toContain('扣分合理');
  });
});
