import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSchemaApi } from '../../src/bitable/schema-api.js';
import { createLogger } from '../../src/core/logger.js';
import { FeishuClient } from '../../src/feishu/client.js';
import { LogCapture } from '../helpers/app.js';

const base = 'https://open.feishu.cn';
const client = () =>
  new FeishuClient({
    appId: 'cli_a1b2c3d4e5f60718',
    appSecret: 'secret',
    baseUrl: base,
    log: createLogger('debug', new LogCapture().stream),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    sleep: async () => undefined,
  });
const token = () =>
  nock(base)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .reply(200, { code: 0, tenant_access_token: 't-1', expire: 7200 });
const BATCH_GET = '/open-apis/bitable/v1/apps/app1/tables/tbl1/records/batch_get';
const record = (extra: Record<string, unknown>) => ({
  code: 0,
  msg: 'success',
  data: { records: [{ record_id: 'rec1', fields: {}, ...extra }], absent_record_ids: [], forbidden_record_ids: [] },
});

// A link people can open to a row: batch_get with with_shared_url (record structure doc: shared_url is
// 记录分享链接, returned by batch_get; record_url belongs to the single-record get).
describe('the link to a Bitable row', () => {
  afterEach(() => nock.cleanAll());

  it('asks batch_get for the shared url of that one record and returns it', async () => {
    token();
    let body: unknown;
    nock(base)
      .post(BATCH_GET, (b) => {
        body = b;
        return true;
      })
      .reply(200, record({ shared_url: 'https://acme.feishu.cn/record/AbCdEf', record_url: 'https://x.example/r' }));
    const url = await createSchemaApi(client()).recordLink('app1', 'tbl1', 'rec1');
    expect(body).toEqual({ record_ids: ['rec1'], with_shared_url: true });
    expect(url).toBe('https://acme.feishu.cn/record/AbCdEf');
  });

  it('falls back to record_url, and keeps no link that is not a plain https URL', async () => {
    token();
    nock(base)
      .post(BATCH_GET)
      .reply(200, record({ record_url: 'https://acme.feishu.cn/base/app1?table=tbl1' }));
    nock(base)
      .post(BATCH_GET)
      .reply(200, record({ shared_url: 'javascript:alert(1)' }));
    nock(base)
      .post(BATCH_GET)
      .reply(200, record({ shared_url: 'https://a.cn/x)[y](https://evil.example' }));
    nock(base)
      .post(BATCH_GET)
      .reply(200, { code: 0, data: { records: [], absent_record_ids: ['rec1'], forbidden_record_ids: [] } });
    const api = createSchemaApi(client());
    expect(await api.recordLink('app1', 'tbl1', 'rec1')).toBe('https://acme.feishu.cn/base/app1?table=tbl1');
    expect(await api.recordLink('app1', 'tbl1', 'rec1')).toBeUndefined();
    expect(await api.recordLink('app1', 'tbl1', 'rec1')).toBeUndefined();
    expect(await api.recordLink('app1', 'tbl1', 'rec1')).toBeUndefined();
  });
});
