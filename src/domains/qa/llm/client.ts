import { z } from 'zod';
import type { LlmConfig } from '../../../config.js';

/** Why a call gave nothing usable; recorded on the review's pre-score, never thrown. */
export const FAILURES = [
  'timeout',
  'rate_limited',
  'http_5xx',
  'http_4xx',
  'network',
  'bad_json',
  'bad_shape',
  'too_large',
] as const;
export type Failure = (typeof FAILURES)[number];
/** Worth asking again later (the review is still unopened): the endpoint, not the answer, was the problem. */
export const RETRYABLE: readonly Failure[] = ['timeout', 'rate_limited', 'http_5xx', 'network'];

export type Completion = { ok: true; content: string } | { ok: false; reason: Failure; status?: number };

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface LlmClient {
  readonly model: string;
  complete(messages: ChatMessage[]): Promise<Completion>;
}

/** Bounds of one call: the whole exchange (connect, wait, body) and the body read. */
export const LLM_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 512 * 1024;

const ChatResponse = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

/**
 * Any OpenAI-compatible endpoint: `POST {baseUrl}/chat/completions` asking for a JSON object.
 * Every failure comes back as a reason (and the HTTP status) — never the response body, an error
 * message or a header, so the key cannot travel into a log line or a stored row.
 */
export function createLlmClient(
  config: LlmConfig,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): LlmClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? LLM_TIMEOUT_MS;
  return {
    model: config.model,
    async complete(messages) {
      const signal = AbortSignal.timeout(timeoutMs);
      let body: string;
      let status: number;
      try {
        const res = await doFetch(`${config.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${config.apiKey.reveal()}` },
          body: JSON.stringify({
            model: config.model,
            messages,
            temperature: 0,
            response_format: { type: 'json_object' },
          }),
          signal,
        });
        status = res.status;
        if (status === 429) return { ok: false, reason: 'rate_limited', status };
        if (status >= 500) return { ok: false, reason: 'http_5xx', status };
        if (status < 200 || status >= 300) return { ok: false, reason: 'http_4xx', status };
        const length = Number(res.headers.get('content-length') ?? 0);
        if (length > MAX_BODY_BYTES) return { ok: false, reason: 'too_large', status };
        body = await res.text();
      } catch {
        return { ok: false, reason: signal.aborted ? 'timeout' : 'network' };
      }
      if (body.length > MAX_BODY_BYTES) return { ok: false, reason: 'too_large', status };
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return { ok: false, reason: 'bad_json', status };
      }
      const parsed = ChatResponse.safeParse(json);
      if (!parsed.success) return { ok: false, reason: 'bad_shape', status };
      return { ok: true, content: parsed.data.choices[0]!.message.content };
    },
  };
}

/** The JSON object in a model's message: as is, or inside a ```json fence some models add anyway. */
export function jsonOf(content: string): unknown {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  try {
    return JSON.parse(fenced ? fenced[1]! : content);
  } catch {
    return undefined;
  }
}
