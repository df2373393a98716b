import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { checkAnswer, AiAnswer } from '../../../src/domains/qa/llm/answer.js';
import { createLlmClient, jsonOf } from '../../../src/domains/qa/llm/client.js';
import { DEFAULT_SCORECARD } from '../../../src/domains/qa/logic/scorecard.js';
import { blockNetwork } from '../../helpers/app.js';
import { watchSecrets } from '../../helpers/secrets.js';

const LLM = 'https://llm-unit.test';
const KEY = 'sk-unit-llm-key-DO-NOT-LOG-91c2';
watchSecrets(KEY);
const env = { NODE_ENV: 'test' };

describe('LLM_* settings', () => {
  it('off by default; on with all three; the key prints as [redacted]', () => {
    expect(loadConfig(env).llm).toBeNull();
    const c = loadConfig({ ...env, LLM_BASE_URL: `${LLM}/v1//`, LLM_API_KEY: KEY, LLM_MODEL: 'm' });
    expect(c.llm).toMatchObject({ baseUrl: `${LLM}/v1`, model: 'm' });
    expect(c.llm!.apiKey.reveal()).toBe(KEY);
    for (const shown of [JSON.stringify(c), inspect(c, { depth: 5 }), String(c.llm!.apiKey)])
      expect(shown).not.toContain(KEY);
  });

  it('half-set stops start-up with one line naming the missing setting (never the key)', () => {
    const fail = (e: Record<string, string>) => {
      try {
        loadConfig({ ...env, ...e });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(fail({ LLM_BASE_URL: LLM })).toMatch(/^LLM_API_KEY: required when LLM_BASE_URL is set/);
    const m = fail({ LLM_API_KEY: KEY, LLM_MODEL: 'm' });
    expect(m).toMatch(/^LLM_BASE_URL: required when LLM_API_KEY and LLM_MODEL is set/);
    expect(m).not.toContain(KEY);
    expect(fail({ LLM_BASE_URL: 'ftp://x', LLM_API_KEY: KEY, LLM_MODEL: 'm' })).toMatch(/^LLM_BASE_URL: must be/);
    expect(fail({ LLM_BASE_URL: LLM, LLM_API_KEY: KEY, LLM_MODEL: ' ' })).toMatch(/^LLM_MODEL: required/);
  });
});

describe('the OpenAI-compatible client', () => {
  const config = {
    baseUrl: `${LLM}/v1`,
    apiKey: loadConfig({ ...env, LLM_BASE_URL: LLM, LLM_API_KEY: KEY, LLM_MODEL: 'm' }).llm!.apiKey,
    model: 'm',
  };
  beforeAll(() => blockNetwork());
  afterAll(() => nock.cleanAll());

  it('a slow endpoint is cut off at the timeout and reported as such', async () => {
    nock(LLM)
      .post('/v1/chat/completions')
      .delay(2_000)
      .reply(200, { choices: [{ message: { content: '{}' } }] });
    const started = Date.now();
    const r = await createLlmClient(config, { timeoutMs: 150 }).complete([{ role: 'user', content: 'x' }]);
    expect(r).toEqual({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_900);
    nock.abortPendingRequests();
  });

  it('an answer that is not the chat-completion shape is bad_shape; a fenced JSON message is read', async () => {
    nock(LLM).post('/v1/chat/completions').reply(200, { result: 'ok' });
    expect(await createLlmClient(config).complete([])).toEqual({ ok: false, reason: 'bad_shape', status: 200 });
    expect(jsonOf('```json\n{"criteria":[]}\n```')).toEqual({ criteria: [] });
    expect(jsonOf('no')).toBeUndefined();
  });
});

describe('checking the model’s answer', () => {
  const messages = [
    { seq: 1, role: 'customer' as const, at: new Date(0), text: '东西坏了' },
    { seq: 2, role: 'agent' as const, at: new Date(1), text: '您好，  请发图片\n给我看看' },
  ];
  it('whitespace-insensitive quotes, the first answer per criterion, unknown codes ignored', () => {
    const a = AiAnswer.parse({
      criteria: [
        { code: 'ATT-02', points: 2, seq: 2, evidence: '请发图片 给我看看' },
        { code: 'ATT-02', points: 5, seq: 2, evidence: '请发图片' },
        { code: 'X-1', points: 1 },
        { code: 'BON-01', points: 9, seq: 2, evidence: '您好' },
      ],
    });
    const { scores, droppedQuotes } = checkAnswer(a, DEFAULT_SCORECARD.criteria, messages);
    expect(droppedQuotes).toBe(0);
    expect(scores).toEqual([
      { code: 'ATT-02', points: 2, na: false, quote: '请发图片 给我看看', seq: 2, note: '', suggested: true },
      // A bonus item: scored (for the agreement), never offered as a deduction.
      { code: 'BON-01', points: 5, na: false, quote: '您好', seq: 2, note: '', suggested: false },
    ]);
  });
});
