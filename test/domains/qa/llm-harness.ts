import nock from 'nock';
import { waitFor } from '../../helpers/app.js';
import type { QaTestApp } from './helpers.js';

/** The model's endpoint the QA LLM tests reach through nock, and the settings that point the product at it. */
export const LLM = 'https://llm.test';
export const LLM_ENV = { LLM_BASE_URL: `${LLM}/v1/`, LLM_API_KEY: 'sk-test-key', LLM_MODEL: 'qa-model-1' };

/** An OpenAI-style chat completion whose message is `content` as JSON. */
export const completion = (content: unknown) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(content) }, finish_reason: 'stop' }],
});

/**
 * The model answers `content` only after `release()`: what the product shows before the model has answered (the
 * card never waits for it) can be checked first. `scope.isDone()`: the model was asked.
 */
export function heldAnswer(content: unknown): { scope: nock.Scope; release: () => void } {
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  const scope = nock(LLM)
    .post('/v1/chat/completions')
    .reply(200, async () => {
      await answered;
      return completion(content);
    });
  return { scope, release };
}

/** A review's stored AI pre-score row. */
export const prescoreOf = async (t: QaTestApp, id: number) =>
  (await t.database.query('select * from qa_ai_prescores where review_id = $1', [id])).rows[0];

/** Waits until no pre-score of an opened review is waiting or running. */
export const openedPrescoresDone = (t: QaTestApp) =>
  waitFor(async () => {
    t.deps.jobs.notify('qa.ai-prescore-opened');
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job
        where name = 'qa.ai-prescore-opened' and state in ('created', 'retry', 'active')`,
    );
    return rows[0]?.n === 0;
  }, 'ai pre-score of the opened review');
