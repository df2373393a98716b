import nock from 'nock';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpProviderConfig, RiskPolicy } from '../../../src/domains/contracts/logic/risk.js';
import { providerOf, type RiskProvider } from '../../../src/domains/contracts/risk/index.js';
import { httpProvider } from '../../../src/domains/contracts/risk/http.js';
import { localFileProvider } from '../../../src/domains/contracts/risk/local-file.js';
import { noProvider } from '../../../src/domains/contracts/risk/provider.js';
import { repo } from '../../../src/domains/contracts/repository.js';
import {
  apiPost,
  body,
  buttons,
  cardText,
  click,
  contractsApp,
  one,
  settle,
  type ContractsTestApp,
} from './helpers.js';

const RISK_URL = 'https://risk.example.test';
const http = httpProvider(HttpProviderConfig.parse({ url: `${RISK_URL}/v1/company` }), 'risk-key-DO-NOT-LOG');

describe('risk providers as configured by the contracts.risk setting', () => {
  it('builds the provider the setting names; the HTTP key comes from the variable it names', async () => {
    const env = { CONTRACTS_RISK_API_KEY: 'k' };
    expect(providerOf(RiskPolicy.parse({}), env)).toBe(noProvider);
    expect(providerOf(RiskPolicy.parse({ provider: { type: 'file', path: '/x.json' } }), env).name).toBe('file');
    const p = RiskPolicy.parse({ provider: { type: 'http', http: { url: `${RISK_URL}/v1` } } });
    expect(providerOf(p, env).name).toBe('http');
    expect(p.timeoutMs).toBe(3_000); // the default cap
    await expect(noProvider.lookup({ name: 'x', creditCode: null }, new AbortController().signal)).rejects.toThrow(
      /no registration provider/,
    );
  });
});

/** Contracts whose counterparty is checked by `current` (swapped per test), through the app's cache and timeout. */
describe('counterparty risk at intake: provider answers, failures, cache, blacklist', () => {
  let t: ContractsTestApp;
  let current: RiskProvider = noProvider;
  let dir: string;
  const intake = (counterparty: string, over: Record<string, unknown> = {}) =>
    apiPost(t, '/api/contracts', body({ counterparty, amountFen: 10_000_00, ...over }));
  // The approval card *for* `no` (its header names it; other contracts' cards may list it as similar).
  const legalCard = (no: string) =>
    t.feishu
      .to('ou_legal')
      .filter((s) =>
        (s.card as { header?: { subtitle?: { content?: string } } }).header?.subtitle?.content?.startsWith(no),
      )
      .at(-1)!;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contracts-risk-'));
    t = await contractsApp({
      module: { riskProvider: { name: 'test', lookup: (q, signal) => current.lookup(q, signal) } },
    });
  });
  afterEach(() => {
    current = noProvider;
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('reads the HTTP answer through the mapping, shows it on the approval card and caches it', async () => {
    current = http;
    const scope = nock(RISK_URL, { reqheaders: { authorization: 'risk-key-DO-NOT-LOG' } })
      .get('/v1/company')
      .query({ keyword: '杭州甲贸易有限公司' })
      .reply(200, {
        data: { status: '存续', registeredCapital: '1000万', legalPerson: '张三', abnormal: '否', judicialCount: 2 },
      });
    const res = await intake('杭州甲贸易有限公司');
    expect(res.statusCode).toBe(201);
    expect(res.json().risk).toMatchObject({
      level: 'medium',
      registration: {
        status: 'active',
        registeredCapitalFen: 10_000_000_00,
        legalRepresentative: '张三',
        abnormalOperation: false,
        judicialCases: 2,
      },
    });
    expect(scope.isDone()).toBe(true);
    await settle(t);
    const card = cardText(legalCard(res.json().contract.contractNo).card);
    expect(card).toContain('注册资本 capital ¥10,000,000.00');
    expect(card).toContain('法人 张三');
    expect(card).toContain('司法案件 2');
    const cached = await one<{ value: { status: string } }>(
      t,
      'select value from contracts_risk_cache where key = $1',
      ['test:杭州甲贸易有限公司'],
    );
    expect(cached.value.status).toBe('active');
    // Again: answered from the cache (no interceptor left, so a second HTTP call would fail to "unknown").
    const again = await intake('杭州甲贸易有限公司');
    expect(again.json().risk.registration.status).toBe('active');
  });

  it('an HTTP 500 gives "unknown (http 500)" on the card, the contract goes on, and nothing is cached', async () => {
    current = http;
    nock(RISK_URL).get('/v1/company').query(true).reply(500, { message: 'internal' });
    const res = await intake('宁波乙实业有限公司');
    expect(res.statusCode).toBe(201);
    expect(res.json().contract.state).toBe('in_approval');
    expect(res.json().risk).toMatchObject({
      level: 'unknown',
      registration: { status: 'unknown', problem: 'http 500' },
    });
    await settle(t);
    expect(cardText(legalCard(res.json().contract.contractNo).card)).toContain('未知 unknown（http 500）');
    const n = await one<{ n: number }>(
      t,
      `select count(*)::int as n from contracts_risk_cache where key like '%宁波乙%'`,
    );
    expect(n.n).toBe(0);
    // The next intake asks again and gets the answer.
    nock(RISK_URL)
      .get('/v1/company')
      .query(true)
      .reply(200, { data: { status: '在业' } });
    expect((await intake('宁波乙实业有限公司')).json().risk.registration.status).toBe('active');
  });

  it('a garbage answer (HTML, no status, unknown status) is "unknown" with the reason, never a crash', async () => {
    current = http;
    const cases: Array<[string, () => nock.Interceptor, string]> = [
      ['丙一', () => nock(RISK_URL).get('/v1/company').query(true), 'unreadable answer'],
      ['丙二', () => nock(RISK_URL).get('/v1/company').query(true), 'no status in the answer'],
      ['丙三', () => nock(RISK_URL).get('/v1/company').query(true), 'unknown status "火星"'],
    ];
    cases[0]![1]().reply(200, '<html>502 Bad Gateway</html>', { 'content-type': 'text/html' });
    cases[1]![1]().reply(200, { data: { status: 42, registeredCapital: -5 } });
    cases[2]![1]().reply(200, { data: { status: '火星', registeredCapital: 'lots' } });
    for (const [name, , problem] of cases) {
      const res = await intake(`${name}有限公司`);
      expect(res.statusCode).toBe(201);
      expect(res.json().risk.registration).toMatchObject({ status: 'unknown', problem });
    }
  });

  it('a provider that throws at once or answers nonsense is "unknown" too', async () => {
    current = {
      name: 'broken',
      lookup: () => {
        throw new Error('boom');
      },
    };
    expect((await intake('丁一有限公司')).json().risk.registration).toMatchObject({
      status: 'unknown',
      problem: 'boom',
    });
    current = { name: 'nonsense', lookup: async () => ({ status: 'active', registeredCapitalFen: 'x' }) as never };
    const res = await intake('丁二有限公司');
    expect(res.json().risk.registration).toMatchObject({ status: 'active', registeredCapitalFen: null });
    await settle(t);
    expect(cardText(legalCard(res.json().contract.contractNo).card)).not.toContain('NaN');
    current = { name: 'null', lookup: async () => null as never };
    expect((await intake('丁三有限公司')).json().risk.registration.problem).toMatch(/unreadable answer/);
  });

  it('an HTTP provider without its key says which variable is missing, and never sends the request', async () => {
    current = httpProvider(HttpProviderConfig.parse({ url: `${RISK_URL}/v1/company` }), undefined);
    const res = await intake('戊有限公司');
    expect(res.json().risk.registration.problem).toBe('CONTRACTS_RISK_API_KEY is not set');
  });

  it('a provider slower than the cap (3 s) is cut off: "unknown (timeout)", the intake still answers', async () => {
    current = http;
    nock(RISK_URL)
      .get('/v1/company')
      .query(true)
      .delay(20_000)
      .reply(200, { data: { status: '存续' } });
    const res = await intake('己慢速有限公司');
    expect(res.statusCode).toBe(201);
    expect(res.json().risk.registration).toMatchObject({ status: 'unknown', problem: '超时 timeout 3000 ms' });
    nock.abortPendingRequests();
  });

  it('reads the local file by credit code or name, and says when a company is not in it', async () => {
    const path = join(dir, 'companies.json');
    await writeFile(
      path,
      JSON.stringify({
        companies: [
          { name: '庚有限公司', creditCode: '91330000MA0000001X', status: 'abnormal', registeredCapitalYuan: 500000 },
          { name: '辛有限公司', status: 'revoked' },
        ],
      }),
    );
    current = localFileProvider(path);
    const byCode = await intake('庚有限公司（改名）', { creditCode: '91330000MA0000001X' });
    expect(byCode.json().risk).toMatchObject({
      level: 'high',
      registration: { status: 'abnormal', registeredCapitalFen: 50_000_000 },
    });
    expect((await intake('壬有限公司')).json().risk.registration.problem).toBe('未收录 not in the file');
    // Revoked: blocked, so the chain gets the risk officer's override step.
    const revoked = await intake('辛有限公司');
    expect(revoked.json().risk).toMatchObject({ level: 'blocked', needsOverride: true });
    await writeFile(path, '{ not json');
    current = localFileProvider(path);
    const bad = await intake('癸有限公司');
    expect(bad.statusCode).toBe(201);
    expect(bad.json().risk.registration.status).toBe('unknown');
  });

  it('a blacklist hit adds the risk-override step; only the risk officer passes it, then the chain goes', async () => {
    const first = await intake('黑名单物流有限公司');
    const cp = (await repo.counterpartyByName(t.deps.database.db, '黑名单物流有限公司'))!;
    await repo.setList(t.deps.database.db, cp.id, 'black', '拖欠货款 <at id=all></at>');
    expect(first.json().risk.needsOverride).toBe(false);
    const res = await intake('黑名单物流有限公司');
    const id = res.json().contract.id as number;
    expect(res.json().risk).toMatchObject({ level: 'blocked', list: 'black', needsOverride: true });
    const steps = async () =>
      (
        await t.database.query<{ id: number; role: string; decision: string; approver_open_id: string }>(
          'select id::int as id, role, decision, approver_open_id from ' +
            'contracts_approval_steps where contract_id = $1 order by seq',
          [id],
        )
      ).rows;
    expect((await steps()).map((s) => [s.role, s.approver_open_id])).toEqual([
      ['legal', 'ou_legal'],
      ['risk_override', 'ou_risk'],
    ]);
    await settle(t);
    const legal = legalCard(res.json().contract.contractNo);
    expect(cardText(legal.card)).toContain('黑名单 blacklist：拖欠货款 <at id=all></at>（需风控特批 override step）');
    expect(JSON.stringify(legal.card)).not.toMatch(/<at id="?all/);
    expect((await click(t, buttons(legal.card)[0]!, { openId: 'ou_legal' })).toast?.type).toBe('success');
    await settle(t);
    const override = t.feishu.to('ou_risk').at(-1)!;
    expect(cardText(override.card)).toContain(res.json().contract.contractNo);
    const approve = buttons(override.card)[0]!;
    expect((await click(t, approve, { openId: 'ou_legal' })).toast?.type).toBe('error');
    expect((await click(t, approve, { openId: 'ou_risk' })).toast?.type).toBe('success');
    expect((await click(t, approve, { openId: 'ou_risk' })).toast?.type).toBe('info');
    const c = await one<{ state: string }>(t, 'select state from contracts_contracts where id = $1', [id]);
    expect(c.state).toBe('active');
    expect((await steps()).map((s) => s.decision)).toEqual(['approved', 'approved']);
  });

  it('a card-form intake answers at once and checks the counterparty from the queue, off the callback', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let asked = 0;
    current = {
      name: 'gated',
      lookup: async () => {
        asked++;
        await gate;
        return { status: 'active' } as never;
      },
    };
    const res = await click(
      t,
      { action: 'contracts.create' },
      {
        openId: 'ou_req',
        messageId: 'om_form_gated',
        formValue: {
          title: '慢速相对方合同',
          counterparty: '慢速相对方有限公司',
          type: 'service',
          amount: '1000',
          start_date: '2026-04-01',
          end_date: '2026-12-31',
        },
      },
    );
    // The click was answered while the provider had not answered yet.
    expect(res.toast?.type).toBe('success');
    expect(cardText(res.card)).toContain('正在检查相对方风险');
    const row = async () =>
      one<{ state: string; risk_level: string | null; contract_no: string }>(
        t,
        `select state, risk_level, contract_no from contracts_contracts where title = '慢速相对方合同'`,
      );
    expect(await row()).toMatchObject({ state: 'draft', risk_level: null });
    release();
    await settle(t);
    expect(asked).toBe(1);
    expect(await row()).toMatchObject({ state: 'in_approval', risk_level: 'low' });
    const no = (await row()).contract_no;
    expect(cardText(legalCard(no).card)).toMatch(/风险 Risk\*\* 低 Low/);
  });
});
