import { qaModule } from '../../../src/domains/qa/index.js';
import type { ReviewMirror } from '../../../src/domains/qa/service/context.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { blockNetwork, buildTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { feishuRecorder, sh, TestClock, type Recorder } from '../exceptions/helpers.js';

export { apiGet, apiPost, buttons, click, say, sh } from '../exceptions/helpers.js';

/** Agents on two teams, their leads, three inspectors and the QA lead. */
export async function seedQaDirectory(t: TestApp): Promise<void> {
  const directory = createDirectory({ db: t.deps.database.db });
  await directory.upsertTeams([
    { key: 'cs_tmall', name: '天猫客服组', chatId: 'oc_cs_tmall', leadOpenId: 'ou_lead_tm', managerOpenId: 'ou_mgr' },
    { key: 'cs_jd', name: '京东客服组', chatId: 'oc_cs_jd', leadOpenId: 'ou_lead_jd', managerOpenId: 'ou_mgr' },
    { key: 'qa', name: '质检组', chatId: 'oc_qa', leadOpenId: 'ou_qa_lead', managerOpenId: 'ou_mgr' },
  ]);
  const person = (openId: string, name: string, teams: string[], roles: string[]) => ({ openId, name, teams, roles });
  await directory.upsertPeople([
    person('ou_agent_1', '小王', ['cs_tmall'], ['agent']),
    person('ou_agent_2', '小李', ['cs_jd'], ['agent']),
    person('ou_agent_3', '小李', ['cs_tmall'], ['agent']),
    person('ou_lead_tm', '天猫组长', ['cs_tmall'], ['agent', 'lead']),
    person('ou_lead_jd', '京东组长', ['cs_jd'], ['agent', 'lead']),
    person('ou_insp_1', '徐静', ['qa'], ['qa_inspector']),
    person('ou_insp_2', '梁晨', ['qa'], ['qa_inspector']),
    person('ou_qa_lead', '郑雪', ['qa'], ['qa_inspector', 'lead']),
    person('ou_mgr', '经理', [], ['manager']),
  ]);
}

export interface QaTestApp extends TestApp {
  feishu: Recorder;
  clock: TestClock;
  mirrored: number[];
}

/** The real app with the QA module, queue workers on, Feishu recorded, a settable clock. */
export async function qaApp(options: { start?: string; env?: Record<string, string> } = {}): Promise<QaTestApp> {
  blockNetwork();
  const clock = new TestClock(sh(options.start ?? '2026-11-23T10:00'));
  const feishu = feishuRecorder();
  const mirrored: number[] = [];
  const mirror: ReviewMirror = { onReviewChanged: async (id) => void mirrored.push(id) };
  const t = await buildTestApp({
    modules: [qaModule({ mirror })],
    workers: true,
    clock,
    env: { API_TOKENS: 'tok-ops', LOG_LEVEL: 'warn', ...options.env },
  });
  await seedQaDirectory(t);
  return Object.assign(t, { feishu, clock, mirrored });
}

export async function settle(t: TestApp): Promise<void> {
  await waitFor(async () => {
    t.deps.jobs.notify('qa.effects');
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'qa.effects' and state in ('created', 'retry', 'active')`,
    );
    return rows[0]?.n === 0;
  }, 'qa follow-ups');
}

const base = Date.parse('2026-11-20T02:00:00Z');
const iso = (seconds: number) => new Date(base + seconds * 1000).toISOString();

/** A conversation for the API: a slow first reply and no greeting unless `clean`. */
export function conversation(externalId: string, extra: Record<string, unknown> = {}, clean = false) {
  return {
    channel: 'tmall',
    externalId,
    shop: '天猫旗舰店',
    agent: 'ou_agent_1',
    csat: 4,
    orderIds: ['TM-1001'],
    messages: clean
      ? [
          { role: 'customer', at: iso(0), text: '在吗' },
          { role: 'agent', at: iso(20), text: '您好，在的' },
          { role: 'agent', at: iso(40), text: '感谢您的耐心' },
        ]
      : [
          { role: 'customer', at: iso(0), text: '我的快递到哪了' },
          { role: 'agent', at: iso(400), text: '单号发我' },
          { role: 'customer', at: iso(420), text: '还没到' },
          { role: 'agent', at: iso(450), text: '已催，谢谢' },
        ],
    ...extra,
  };
}
