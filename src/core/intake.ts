import type { Database } from '../db/client.js';
import type { Dispatcher } from './bot.js';
import { EVENT_QUEUE } from './bot.js';
import { CardCallback, fromLegacy } from './card-callback.js';
import type { CardActionResult } from './contexts.js';
import { AppError } from './errors.js';
import type { IncomingEvent } from './inbox.js';
import { InboxWriter, type WriteOutcome } from './inbox-writer.js';
import type { JobQueue } from './jobs.js';
import { storableDeep } from './text.js';
import type { Logger } from './logger.js';

export type IntakeResult =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'event'; outcome: WriteOutcome }
  | { kind: 'card'; result: CardActionResult; legacy: boolean };

export interface IntakeDeps {
  database: Database;
  dispatcher: Dispatcher;
  jobs: JobQueue;
  log: Logger;
}

type Envelope = Record<string, unknown> & {
  schema?: string;
  type?: string;
  header?: { event_id?: string; event_type?: string; tenant_key?: string; token?: string };
  event?: Record<string, unknown>;
};

/**
 * What to do with a verified, decrypted body — shared by the webhook and the long connection.
 * Events are stored and queued in one transaction, then acknowledged; nothing else happens
 * before the ack. Card callbacks run now, because Feishu waits for the new card.
 */
export function createIntake(deps: IntakeDeps) {
  const writer = new InboxWriter(deps.database, deps.jobs, EVENT_QUEUE);

  async function storeEvent(event: IncomingEvent): Promise<WriteOutcome> {
    const handled = deps.dispatcher.handles(event.eventType);
    let outcome: WriteOutcome;
    try {
      outcome = await writer.write(event, handled);
    } catch (err) {
      deps.log.error({ err, eventId: event.eventId }, 'event could not be stored');
      // 503 makes Feishu re-push it later; a 200 here would lose it.
      throw new AppError('unavailable', '暂时无法保存事件，请稍后重试 · Event store unavailable, retry later');
    }
    if (outcome === 'duplicate') deps.log.info({ eventId: event.eventId }, 'duplicate event acknowledged');
    if (outcome === 'stored') deps.jobs.notify(EVENT_QUEUE);
    return outcome;
  }

  async function runCard(raw: unknown, eventId: string, legacy: boolean): Promise<IntakeResult> {
    // Form values and inputs are people's text: made storable here, once, for every card action.
    const callback = CardCallback.safeParse(storableDeep(raw));
    if (!callback.success) throw new AppError('bad_request', 'malformed card callback');
    const result = await deps.dispatcher.runCardAction(callback.data, eventId);
    return { kind: 'card', result, legacy };
  }

  return {
    async receive(body: Envelope, source: IncomingEvent['source']): Promise<IntakeResult> {
      if (body.type === 'url_verification') {
        if (typeof body.challenge !== 'string') throw new AppError('bad_request', 'challenge missing');
        return { kind: 'challenge', challenge: body.challenge };
      }
      if (body.schema === '2.0' && body.header) {
        const { event_id: eventId, event_type: eventType, tenant_key: tenantKey } = body.header;
        if (!eventId || !eventType) throw new AppError('bad_request', 'event header lacks event_id or event_type');
        if (eventType === 'card.action.trigger') return runCard(body.event, eventId, false);
        return { kind: 'event', outcome: await storeEvent({ eventId, eventType, source, tenantKey, payload: body }) };
      }
      if (body.type === 'event_callback' && typeof body.uuid === 'string' && body.event) {
        const eventType = typeof body.event.type === 'string' ? body.event.type : 'unknown';
        return { kind: 'event', outcome: await storeEvent({ eventId: body.uuid, eventType, source, payload: body }) };
      }
      if (body.action && typeof body.open_message_id === 'string') {
        return runCard(fromLegacy(body), `legacy:${body.open_message_id}:${String(body.token ?? '')}`, true);
      }
      throw new AppError('bad_request', 'unrecognised request body');
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
