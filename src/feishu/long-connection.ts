import * as lark from '@larksuiteoapi/node-sdk';
import type { IntakeResult } from '../core/intake.js';
import type { Logger } from '../core/logger.js';
import { toResponse } from './webhook.js';

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  log: Logger;
  receive(body: Record<string, unknown>): Promise<IntakeResult>;
  /** For tests: build the WSClient. */
  createClient?: (params: ConstructorParameters<typeof lark.WSClient>[0]) => Pick<lark.WSClient, 'start' | 'close'>;
}

export type LongConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface LongConnectionStatus {
  state: LongConnectionState;
  /** When the state last changed (ISO time). */
  since: string;
  /** The SDK's reason when the connection failed. */
  error?: string;
}

export interface LongConnection {
  close(): void;
  status(): LongConnectionStatus;
}

/**
 * LARK_EVENT_MODE=websocket: the SDK's WSClient holds the connection (no public URL needed) and
 * hands each payload, already authenticated and in plain text (FEISHU.md §g), to the same intake
 * as the webhook. The value we return travels back in the ack — that is how a card callback's
 * toast and new card reach the user.
 */
export function startLongConnection(options: LongConnectionOptions): LongConnection {
  const log = options.log.child({ component: 'long-connection' });
  let status: LongConnectionStatus = { state: 'connecting', since: new Date().toISOString() };
  const set = (state: LongConnectionState, error?: string) => {
    status = { state, since: new Date().toISOString(), ...(error ? { error } : {}) };
  };
  // The SDK reports its connection through these callbacks; /readyz and the logs read `status`.
  const params = {
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.baseUrl,
    loggerLevel: lark.LoggerLevel.warn,
    logger: {
      error: (...msg: unknown[]) =>
        log.error({ sdk: msg.map(String).join(' ').slice(0, 500) }, 'long connection error'),
      warn: (...msg: unknown[]) =>
        log.warn({ sdk: msg.map(String).join(' ').slice(0, 500) }, 'long connection warning'),
      info: () => undefined,
      debug: () => undefined,
      trace: () => undefined,
    },
    onReady: () => {
      set('connected');
      log.info('long connection up · 长连接已建立');
    },
    onReconnecting: () => {
      set('reconnecting');
      log.warn('long connection lost, reconnecting · 长连接断开，正在重连');
    },
    onReconnected: () => {
      set('connected');
      log.info('long connection up again · 长连接已恢复');
    },
    onError: (err: Error) => {
      set('failed', err.message.slice(0, 300));
      log.error({ err }, 'long connection failed · 长连接失败');
    },
  };
  const client = options.createClient ? options.createClient(params) : new lark.WSClient(params);
  const dispatcher = {
    invoke: async (data: unknown) => {
      const result = await options.receive(data as Record<string, unknown>);
      return toResponse(result);
    },
  };
  client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher }).catch((err: unknown) => {
    set('failed', err instanceof Error ? err.message : String(err));
    log.error({ err }, 'long connection failed · 长连接失败');
  });
  log.debug('long connection starting');
  return {
    close: () => {
      set('closed');
      client.close();
    },
    status: () => status,
  };
}
