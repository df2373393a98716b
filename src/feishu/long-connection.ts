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

/**
 * LARK_EVENT_MODE=websocket: the SDK's WSClient holds the connection (no public URL needed) and
 * hands each payload, already authenticated and in plain text (FEISHU.md §g), to the same intake
 * as the webhook. The value we return travels back in the ack — that is how a card callback's
 * toast and new card reach the user.
 */
export function startLongConnection(options: LongConnectionOptions): { close(): void } {
  const log = options.log.child({ component: 'long-connection' });
  const params = {
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.baseUrl,
    loggerLevel: lark.LoggerLevel.warn,
    logger: {
      error: (...msg: unknown[]) => log.error({ sdk: msg.map(String).join(' ').slice(0, 500) }, 'long connection error'),
      warn: (...msg: unknown[]) => log.warn({ sdk: msg.map(String).join(' ').slice(0, 500) }, 'long connection warning'),
      info: () => undefined,
      debug: () => undefined,
      trace: () => undefined,
    },
  };
  const client = options.createClient ? options.createClient(params) : new lark.WSClient(params);
  const dispatcher = {
    invoke: async (data: unknown) => {
      const result = await options.receive(data as Record<string, unknown>);
      return toResponse(result);
    },
  };
  void client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher });
  log.info('long connection started');
  return { close: () => client.close() };
}
