import { defineModule } from '../core/module.js';
import type { AppModule } from '../deps.js';
import type { BitableMirror } from './bitable-mirror.js';
import { RECORD_CHANGED } from './events.js';

export { createBitableMirror, type BitableMirror } from './bitable-mirror.js';
export type { MirrorChange, ChangeHandler } from './changes.js';
export type {
  AddedRow,
  EditedField,
  FieldOwner,
  LinkResolver,
  Refusal,
  TableEdit,
  TableSeam,
  TableSpec,
} from './table-spec.js';
export type { MirrorRow } from './mirror-rows.js';
export type { WriteRow, WrittenRow } from './writes.js';
export type { ReconcileReport } from './reconcile.js';
export type { ProvisionReport } from './provision.js';

export interface MirrorModuleOptions {
  /** When the scheduled reconcile runs (business time zone). Default every 10 minutes. */
  reconcileCron?: string;
  /** Renew the drive subscription at start (default true). */
  subscribeOnStart?: boolean;
  templatesDir?: string;
  /** Pace of table/field/view creation during provision (default 5/s). */
  schemaWritesPerSecond?: number;
  /** Provision (create or complete) the Base in the background at start — the offline sandbox does. */
  provisionOnStart?: boolean;
}

/**
 * Keeps the Postgres copy of every template table in step with Bitable: people's edits arrive as
 * record-changed events, a scheduled reconcile repairs whatever was missed.
 */
export function mirrorModule(mirror: BitableMirror, options: MirrorModuleOptions = {}): AppModule {
  return defineModule({
    name: 'mirror',
    async setup(bot, deps) {
      await mirror.attach(
        {
          database: deps.database,
          feishu: deps.feishu,
          log: deps.log,
          clock: deps.clock,
          timeZone: deps.config.timeZone,
        },
        {
          ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}),
          ...(options.schemaWritesPerSecond ? { schemaWritesPerSecond: options.schemaWritesPerSecond } : {}),
        },
      );
      bot.event(RECORD_CHANGED, (ctx) => mirror.handleRecordChanged(ctx));
      bot.schedule('mirror.reconcile', options.reconcileCron ?? '*/10 * * * *', async (_now, job) => {
        if (!(await mirror.subscribe())) {
          job.log.info('bitable not provisioned yet, nothing to reconcile');
          return;
        }
        await mirror.reconcile();
      });
      if (options.provisionOnStart) {
        // In the background: the bot answers chat at once; the tables appear seconds later.
        mirror.provision().then(
          (report) => deps.log.info({ appToken: report.appToken, url: report.url }, 'bitable provisioned'),
          (err: unknown) => deps.log.warn({ err }, 'bitable provision at start failed; run feishu-ops provision'),
        );
      } else if (options.subscribeOnStart !== false) {
        // Not awaited: start-up must not wait for (or fail on) Feishu.
        mirror.subscribe().then(
          (done) => done && deps.log.info('bitable record changes subscribed'),
          (err: unknown) => deps.log.warn({ err }, 'bitable subscribe at start failed; the next reconcile retries it'),
        );
      }
    },
  });
}
