import { sealEvent } from '../../feishu/crypto.js';
import { newId } from '../ids.js';
import type { SandboxState } from '../state/types.js';

export interface EventEnvelope {
  schema: '2.0';
  header: {
    event_id: string;
    token: string;
    create_time: string;
    event_type: string;
    tenant_key: string;
    app_id: string;
  };
  event: Record<string, unknown>;
}

/** The v2 envelope of FEISHU.md §a.1; create_time in milliseconds, as in the receive/record-changed examples. */
export function buildEnvelope(
  state: SandboxState,
  eventType: string,
  event: Record<string, unknown>,
  at: Date,
): EventEnvelope {
  return {
    schema: '2.0',
    header: {
      event_id: newId.event(),
      token: state.credentials.verificationToken,
      create_time: String(at.getTime()),
      event_type: eventType,
      tenant_key: state.tenant.tenant_key,
      app_id: state.credentials.appId,
    },
    event,
  };
}

export interface SealedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * Encrypts the envelope into `{"encrypt": …}` and signs the exact bytes sent:
 * X-Lark-Signature = hex(sha256(timestamp + nonce + encryptKey + body)), timestamp in seconds (§a.3, §a.4).
 */
export function sealRequest(envelope: EventEnvelope, encryptKey: string, at: Date): SealedRequest {
  const sealed = sealEvent(envelope, encryptKey, at, newId.nonce());
  return { body: sealed.body, headers: { ...sealed.headers, 'user-agent': 'Feishu-Sandbox/1.0' } };
}

export interface PostResult {
  status: number;
  text: string;
}

/** One HTTP attempt with a deadline (Feishu waits 3 s). Throws on connect errors and timeouts. */
export async function postSealed(url: string, sealed: SealedRequest, timeoutMs: number): Promise<PostResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: sealed.headers,
    body: sealed.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}
