import { afterEach, describe, expect, it } from 'vitest';
import { declareQaTables } from '../../../src/domains/qa/bitable.js';
import { qaRepo } from '../../../src/domains/qa/repository.js';
import { mirrorOnSandbox, type MirrorSetup } from '../../mirror/helpers.js';

// 质检记录's 渠道 offers every channel conversations come from, the native 飞书服务台 included, so a
// helpdesk review lands in an existing option instead of an empty cell.
describe('质检记录 渠道 options', () => {
  let s: MirrorSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('provisions 飞书服务台 and 企业微信 as 渠道 options and writes a helpdesk review into 飞书服务台', async () => {
    s = await mirrorOnSandbox();
    const tables = declareQaTables(s.mirror, s.database.db);
    const report = await s.mirror.provision();
    const app = s.t.sandbox.state.apps().find((a) => a.app_token === report.appToken)!;
    const reviews = app.tables.find((t) => t.name === '质检记录')!;
    const channel = reviews.fields.find((f) => f.field_name === '渠道')!;
    const optionNames = () =>
      ((channel.property as { options?: Array<{ name: string }> }).options ?? []).map((o) => o.name);
    expect(optionNames()).toEqual(expect.arrayContaining(['飞书服务台', '企业微信', '天猫']));
    const before = optionNames();
    const agent = s.t.sandbox.state.users()[0]!.open_id;

    await s.database.query(
      `insert into qa_scorecard_versions (version, criteria, published_at) values (1, '[]', now())`,
    );
    const { rows } = await s.database.query<{ id: number }>(
      `insert into qa_conversations (channel, external_id, agent_open_id, started_at, ended_at, message_count, source)
       values ('feishu_helpdesk', 'T-7001', $1, now(), now(), 2, 'feishu_helpdesk') returning id`,
      [agent],
    );
    const review = await s.database.query<{ id: number }>(
      `insert into qa_reviews (conversation_id, scorecard_version, agent_open_id, sample_reason)
       values ($1, 1, $2, 'random') returning id`,
      [rows[0]!.id, agent],
    );
    await tables.reviews.write((await qaRepo.review(s.database.db, Number(review.rows[0]!.id)))!);

    const [record] = reviews.records;
    expect(record?.fields[channel.field_id]).toBe('飞书服务台');
    // Written into the option the template made, not a new one Feishu would add for an unknown name.
    expect(optionNames()).toEqual(before);
  });
});
