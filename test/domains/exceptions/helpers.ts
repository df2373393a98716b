import nock from 'nock';
import { exceptionsModule, type CaseMirror, type ExceptionService } from '../../../src/domains/exceptions/index.js';
import { noMirror } from '../../../src/domains/exceptions/mirror.js';
import { createExceptionService } from '../../../src/domains/exceptions/service/index.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { declareExceptionSettings } from '../../../src/domains/exceptions/settings/index.js';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { repo, type CaseRow } from '../../../src/domains/exceptions/repository.js';
import { blockNetwork, buildTestApp, FEISHU_URL, waitFor, type TestApp } from '../../helpers/app.js';
import { cardAction, messageEvent, signed } from '../../helpers/events.js';

/** Shanghai wall time → instant (UTC+8, no DST). */
export const sh = (iso: string): Date => new Date(`${iso}+08:00`);

export class TestClock {
  constructor(public current: Date) {}
  now = (): Date => this.current;
  set(iso: string): void {
    this.current = sh(iso);
  }
}

export interface SentCard {
  kind: 'send' | 'reply' | 'patch';
  /** chat_id or open_id for sends, the message id for replies and patches. */
  to: string;
  card: Record<string, unknown>;
  uuid?: string;
  messageId: string;
}

/** Plays Feishu's IM API: records every card sent, replied or patched. */
export function feishuRecorder() {
  const sent: SentCard[] = [];
  let n = 0;
  nock(FEISHU_URL)
    .persist()
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-test', expire: 7200 });
  nock(FEISHU_URL)
    .persist()
    .post(/\/open-apis\/im\/v1\/messages(\?.*)?$/)
    .reply(200, (uri, body) => {
      const b = body as { receive_id: string; content: string; uuid: string };
      // The same uuid is one message (FEISHU.md §c): answer with the first one's id.
      const earlier = sent.find((s) => s.kind === 'send' && s.uuid === b.uuid);
      const messageId = earlier?.messageId ?? `om_sent_${++n}`;
      if (!earlier) sent.push({ kind: 'send', to: b.receive_id, card: JSON.parse(b.content), uuid: b.uuid, messageId });
      return { code: 0, msg: 'success', data: { message_id: messageId, chat_id: b.receive_id } };
    });
  nock(FEISHU_URL)
    .persist()
    .post(/\/open-apis\/im\/v1\/messages\/[^/]+\/reply/)
    .reply(200, (uri, body) => {
      const b = body as { content: string; uuid: string };
      const messageId = `om_reply_${++n}`;
      sent.push({ kind: 'reply', to: uri.split('/')[5]!, card: JSON.parse(b.content), uuid: b.uuid, messageId });
      return { code: 0, msg: 'success', data: { message_id: messageId } };
    });
  nock(FEISHU_URL)
    .persist()
    .patch(/\/open-apis\/im\/v1\/messages\/[^/]+$/)
    .reply(200, (uri, body) => {
      const b = body as { content: string };
      sent.push({
        kind: 'patch',
        to: uri.split('/')[5]!.split('?')[0]!,
        card: JSON.parse(b.content),
        messageId: uri.split('/')[5]!,
      });
      return { code: 0, msg: 'success', data: {} };
    });
  return {
    sent,
    to: (id: string) => sent.filter((s) => s.kind === 'send' && s.to === id),
    patches: (messageId: string) => sent.filter((s) => s.kind === 'patch' && s.to === messageId),
    replies: (messageId: string) => sent.filter((s) => s.kind === 'reply' && s.to === messageId),
    clear: () => sent.splice(0),
  };
}
export type Recorder = ReturnType<typeof feishuRecorder>;

/** Who is who in the tests: two logistics agents, a dispute specialist, the warehouse, leads, a manager. */
export async function seedDirectory(t: TestApp): Promise<void> {
  const directory = createDirectory({ db: t.deps.database.db });
  await directory.upsertTeams([
    {
      key: 'logistics',
      name: '物流组 Logistics',
      chatId: 'oc_logistics',
      leadOpenId: 'ou_lead_lg',
      managerOpenId: 'ou_mgr',
    },
    {
      key: 'refund_dispute',
      name: '退款维权组 Disputes',
      chatId: 'oc_disputes',
      leadOpenId: 'ou_lead_rd',
      managerOpenId: 'ou_mgr',
    },
    {
      key: 'customer_service',
      name: '客服组 Customer service',
      chatId: 'oc_cs',
      leadOpenId: 'ou_lead_cs',
      managerOpenId: 'ou_mgr',
    },
    { key: 'warehouse', name: '仓库 Warehouse', chatId: 'oc_wh', leadOpenId: 'ou_lead_wh', managerOpenId: 'ou_mgr' },
    { key: 'finance', name: '财务 Finance', chatId: 'oc_fin', leadOpenId: 'ou_lead_fin', managerOpenId: 'ou_fd' },
  ]);
  const person = (openId: string, name: string, teams: string[], roles: string[]) => ({ openId, name, teams, roles });
  await directory.upsertPeople([
    person('ou_agent_1', '小王', ['logistics'], ['agent']),
    person('ou_agent_2', '小李', ['logistics'], ['agent']),
    person('ou_rd_1', '小张', ['refund_dispute'], ['refund_dispute']),
    person('ou_wh_1', '老周', ['warehouse'], ['warehouse']),
    person('ou_lead_lg', '物流组长', ['logistics'], ['lead']),
    person('ou_lead_2', '物流副组长', ['logistics'], ['lead']),
    person('ou_lead_rd', '维权组长', ['refund_dispute'], ['lead']),
    person('ou_mgr', '经理', [], ['manager']),
    person('ou_fd', '财务总监', ['finance'], ['finance_director']),
  ]);
}

export interface ExceptionsTestApp extends TestApp {
  feishu: Recorder;
  clock: TestClock;
}

/** The real app with the exceptions module, queue workers on, Feishu recorded, a settable clock. */
export async function exceptionsApp(options: { start?: string; mirror?: CaseMirror } = {}): Promise<ExceptionsTestApp> {
  blockNetwork();
  const clock = new TestClock(sh(options.start ?? '2026-11-23T10:00'));
  const feishu = feishuRecorder();
  const t = await buildTestApp({
    modules: [exceptionsModule({ mirror: options.mirror })],
    workers: true,
    clock,
    env: { API_TOKENS: 'tok-ops', LOG_LEVEL: 'warn' },
  });
  await seedDirectory(t);
  return Object.assign(t, { feishu, clock });
}

/** Waits until every queued follow-up (cards, DMs) has run. */
export async function settle(t: TestApp): Promise<void> {
  await waitFor(async () => {
    t.deps.jobs.notify('exceptions.effects');
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'exceptions.effects' and state in ('created', 'retry',
        'active')`,
    );
    return rows[0]?.n === 0;
  }, 'exception follow-ups');
}

// Signed as of the test clock, so the replay window accepts it.
const signedAt = (t: TestApp, body: unknown) =>
  signed(body, { timestamp: Math.floor(t.deps.clock.now().getTime() / 1000) });

export async function click(
  t: TestApp,
  value: Record<string, unknown>,
  options: { openId: string; formValue?: Record<string, unknown>; messageId?: string },
) {
  const res = await t.app.inject({ method: 'POST', url: '/webhook/card', ...signedAt(t, cardAction(value, options)) });
  return res.json() as {
    toast?: { type: string; content: string };
    card?: { type: string; data: Record<string, unknown> };
  };
}

/** A chat message to the bot in a direct chat; resolves when it has been processed. */
export async function say(
  t: TestApp,
  text: string,
  openId: string,
  messageId = `om_msg_${Math.random().toString(36).slice(2, 10)}`,
  parentId?: string,
): Promise<string> {
  const event = messageEvent(text, { openId, messageId, ...(parentId ? { parentId } : {}) });
  await t.app.inject({ method: 'POST', url: '/webhook/event', ...signedAt(t, event) });
  await waitFor(async () => {
    const { rows } = await t.database.query<{ status: string }>('select status from lark_events where event_id = $1', [
      event.header.event_id,
    ]);
    return rows[0]?.status === 'done' || rows[0]?.status === 'dead';
  }, `message "${text}" processed`);
  return messageId;
}

export async function caseRow(t: TestApp, id: number): Promise<CaseRow> {
  const row = await repo.getCase(t.deps.database.db, id);
  if (!row) throw new Error(`no case ${id}`);
  return row;
}

export async function latestCase(t: TestApp): Promise<CaseRow> {
  const { rows } = await t.database.query<{ id: string | number }>('select max(id) as id from exceptions_cases');
  return caseRow(t, Number(rows[0]!.id));
}

/** All text on a card as a person reads it (HTML entities shown as characters), for "the card says …" assertions. */
export const cardText = (card: unknown): string => readable(JSON.stringify(card));

/** Feishu shows `&#60;` as `<`: the bot writes user text in card markdown that way. */
export const readable = (text: string): string =>
  text.replace(/&#(\d{1,7});/g, (_, n: string) => String.fromCodePoint(Number(n)));

/** The callback values of every button on a card. */
export function buttons(card: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.tag === 'button') {
        for (const b of (n.behaviors as Array<{ value?: Record<string, unknown> }>) ?? [])
          if (b.value) out.push(b.value);
      }
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return out;
}

export async function apiPost(t: TestApp, url: string, body: unknown, token: string | null = 'tok-ops') {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  });
}

export async function apiGet(t: TestApp, url: string, token: string | null = 'tok-ops') {
  return t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** The module's service on the app's own dependencies, for calling scheduled work with a chosen `now`. */
export function serviceOf(t: TestApp, mirror: CaseMirror = noMirror): ExceptionService {
  return createExceptionService({
    database: t.database,
    directory: createDirectory({ db: t.deps.database.db }),
    settings: declareExceptionSettings(
      settingsHost(new SettingsStore({ database: t.database, log: t.log }), 'exceptions'),
    ),
    feishu: t.deps.feishu,
    cards: t.deps.cards,
    jobs: t.deps.jobs,
    config: t.deps.config,
    log: t.log,
    mirror,
  });
}

/** What a freshly drawn case card's buttons carry: the case and the version it was drawn for. */
export async function fresh(t: TestApp, caseId: number): Promise<{ caseId: number; version: number }> {
  return { caseId, version: (await caseRow(t, caseId)).version };
}
