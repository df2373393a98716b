import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import cron, { type ScheduledTask } from 'node-cron';
import type { Database, SqlExecutor } from '../db/client.js';
import { PermanentError } from './errors.js';
import type { Logger } from './logger.js';
import { errorText, shorten, storableText } from './text.js';

/**
 * pg-boss 10.4 records a job's completion or failure after its handler without awaiting it (src/manager.js, `work` →
 * `onFetch`: `this.complete(...)`, `this.fail(...)`). With the database gone at that moment the promise rejected
 * unhandled and Node ended the process (the chaos suite's PostgreSQL restart caught it). Both are caught here, on the
 * Manager's prototype, once per process and before any PgBoss is made; the error goes to the queue's `error` event
 * (logged), and the job stays active until it expires and runs again — handlers are idempotent — as after a crash.
 */
function catchUnawaitedCompletions(): void {
  type Recorder = (this: { emit(event: string, err: unknown): boolean }, ...args: unknown[]) => Promise<unknown>;
  const manager = (createRequire(import.meta.url)('pg-boss/src/manager.js') as { prototype: Record<string, unknown> })
    .prototype;
  for (const method of ['complete', 'fail'] as const) {
    const original = manager[method] as Recorder & { caught?: true };
    if (typeof original !== 'function' || original.caught) continue;
    const caught: Recorder & { caught?: true } = function (this, ...args) {
      return original.apply(this, args).catch((err: unknown) => {
        this.emit('error', err);
        return undefined;
      });
    };
    caught.caught = true;
    manager[method] = caught;
  }
}
catchUnawaitedCompletions();

export interface JobMeta {
  id: string;
  retryCount: number;
  retryLimit: number;
}

export type JobWorker<T> = (data: T, meta: JobMeta) => Promise<void>;

export interface QueueOptions {
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
  concurrency?: number;
}

export interface SendOptions {
  /** Run inside this transaction, so the job exists exactly when the caller's rows do. */
  tx?: SqlExecutor;
  startAfter?: Date;
  /** At most one queued or active job with this key per queue. */
  singletonKey?: string;
}

export interface JobQueueOptions {
  database: Database;
  log: Logger;
  timeZone: string;
  retryLimit: number;
  /** Seconds before an active job whose worker died is handed out again. */
  expireInSeconds?: number;
  maintenanceIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
  retryDelaySeconds?: number;
  instanceId?: string;
}

const SCHEMA = 'pgboss';

function executor(sql: SqlExecutor): PgBoss.Db {
  return {
    // pg-boss sends multi-statement scripts without parameters; PGlite only runs those via exec.
    executeSql: async (text: string, values?: unknown[]) => {
      if (!values || values.length === 0) {
        if (/;\s*\S/.test(text)) {
          await sql.exec(text);
          return { rows: [] };
        }
        return sql.query(text);
      }
      return sql.query(text, values);
    },
  };
}

/**
 * What pg-boss records for a failed job. pg-boss 10 stores a thrown error as jsonb (serialize-error:
 * message, stack and every own property, e.g. a query's parameters) from a promise nobody awaits
 * (manager.js onFetch): when that write fails — `\u0000` or a lone surrogate in the text makes
 * jsonb refuse it — the rejection is unhandled and close-with-grace ends the process, and the job,
 * still active, kills the next process too. So only a short, storable message and stack reach it.
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(cause: unknown) {
    super(errorText(cause));
    this.stack = shorten(storableText(cause instanceof Error && cause.stack ? cause.stack : this.message), 4000);
  }
}

/**
 * pg-boss on the app's own database (PGlite too) plus node-cron ticks. A tick claims its
 * (schedule, slot) row first, so N instances enqueue each slot once.
 */
export class JobQueue {
  readonly boss: PgBoss;
  readonly instanceId: string;
  private readonly queues = new Map<string, { worker: JobWorker<never>; options: QueueOptions }>();
  private readonly workerIds = new Map<string, string[]>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly schedules = new Map<string, string>();
  private started = false;

  constructor(private readonly options: JobQueueOptions) {
    const { database } = options;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}`;
    const common = {
      schema: SCHEMA,
      retryLimit: options.retryLimit,
      retryBackoff: true,
      retryDelay: 1,
      expireInSeconds: options.expireInSeconds ?? 300,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      schedule: false,
      archiveCompletedAfterSeconds: 3600,
    };
    this.boss =
      database.kind === 'pglite'
        ? new PgBoss({ ...common, db: executor(database) })
        : new PgBoss({ ...common, connectionString: database.url!, max: 4, application_name: 'feishu-ops-jobs' });
    this.boss.on('error', (err) => options.log.error({ err }, 'job queue error'));
  }

  /** Declare a queue and its worker; call before start(). */
  define<T>(name: string, worker: JobWorker<T>, options: QueueOptions = {}): void {
    if (this.queues.has(name)) throw new Error(`job ${name} is defined twice`);
    this.queues.set(name, { worker: worker as JobWorker<never>, options });
  }

  /** Declare a cron schedule in the business time zone; its job runs `worker(slot)`. */
  schedule(
    name: string,
    expression: string,
    worker: (slot: Date, meta: JobMeta) => Promise<void>,
    options: QueueOptions = {},
  ): void {
    if (!cron.validate(expression)) throw new Error(`schedule ${name}: invalid cron expression "${expression}"`);
    this.schedules.set(name, expression);
    this.define<{ slot: string }>(`schedule.${name}`, (data, meta) => worker(new Date(data.slot), meta), {
      retryLimit: 2,
      ...options,
    });
  }

  /** Installs pg-boss and the queues; with `workers`/`cron` false this instance only sends. */
  async start(options: { workers?: boolean; cron?: boolean } = {}): Promise<void> {
    if (!this.started) await this.install();
    if (options.workers !== false) await this.startWorkers();
    if (options.cron !== false) this.startCron();
  }

  private async install(): Promise<void> {
    await this.boss.start();
    for (const [name, q] of this.queues) {
      await this.boss.createQueue(name, {
        name,
        retryLimit: q.options.retryLimit ?? this.options.retryLimit,
        retryDelay: q.options.retryDelaySeconds ?? this.options.retryDelaySeconds ?? 1,
        retryBackoff: true,
        expireInSeconds: q.options.expireInSeconds ?? this.options.expireInSeconds ?? 300,
      });
    }
    this.started = true;
  }

  async startWorkers(): Promise<void> {
    if (this.workerIds.size > 0) return;
    for (const [name, q] of this.queues) {
      const ids: string[] = [];
      // One job per fetch: a failure fails only its own job.
      for (let i = 0; i < (q.options.concurrency ?? 2); i++) {
        let id = '';
        id = await this.boss.work<unknown>(
          name,
          { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 1 },
          async ([job]) => {
            if (!job) return;
            try {
              await q.worker(job.data as never, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
            } catch (err) {
              // The error path must not throw anything else: a permanent failure that cannot be marked is retried.
              if (err instanceof PermanentError)
                await this.spendRetries(name, job.id).catch((e: unknown) =>
                  this.options.log.warn(
                    { err: e, queue: name },
                    'permanent failure not marked; the job will be retried',
                  ),
                );
              throw new JobFailure(err);
            } finally {
              // pg-boss 10 sleeps out the polling interval even after a fetch that found work, which
              // caps a worker at one job per interval; a worker that just had a job fetches again at once.
              this.boss.notifyWorker(id);
            }
          },
        );
        ids.push(id);
      }
      this.workerIds.set(name, ids);
    }
  }

  /**
   * A PermanentError will not get better by retrying: the job's remaining retries are spent, so
   * pg-boss's own fail (which follows) marks it `failed` with the error instead of `retry`.
   * pg-boss 10 decides retry-or-fail by `retry_count < retry_limit` on its job row.
   */
  private async spendRetries(name: string, id: string): Promise<void> {
    await this.options.database.query(
      `update ${SCHEMA}.job set retry_limit = retry_count where name = $1 and id = $2 and state = 'active'`,
      [name, id],
    );
  }

  startCron(): void {
    if (this.tasks.length > 0) return;
    for (const [name, expression] of this.schedules) {
      this.tasks.push(
        cron.schedule(expression, (ctx) => this.tick(name, ctx.date).then(() => undefined), {
          timezone: this.options.timeZone,
          name: `feishu-ops:${name}`,
        }),
      );
    }
  }

  /** Claims the slot and enqueues its run; false when another instance already did. */
  async tick(name: string, at: Date): Promise<boolean> {
    const slot = new Date(Math.floor(at.getTime() / 1000) * 1000);
    try {
      return await this.options.database.transaction(async (tx) => {
        const { rows } = await tx.query(
          `insert into core_schedule_slots (name, slot, instance) values ($1, $2, $3) on conflict do nothing returning
            name`,
          [name, slot, this.instanceId],
        );
        if (rows.length === 0) return false;
        await this.send(`schedule.${name}`, { slot: slot.toISOString() }, { tx });
        return true;
      });
    } catch (err) {
      this.options.log.error({ err, schedule: name }, 'schedule tick failed');
      return false;
    }
  }

  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    if (!this.queues.has(name)) throw new Error(`job ${name} is not defined`);
    const id = await this.boss.send(name, data, {
      ...(options.tx ? { db: executor(options.tx) } : {}),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
    return id;
  }

  /** Many jobs of one queue in one statement (group commit of the inbox). */
  async sendMany<T extends object>(name: string, data: T[], options: { tx?: SqlExecutor } = {}): Promise<void> {
    if (!this.queues.has(name)) throw new Error(`job ${name} is not defined`);
    await this.boss.insert(
      data.map((d) => ({ name, data: d })),
      options.tx ? { db: executor(options.tx) } : {},
    );
  }

  /** Wake this instance's idle workers for `name` instead of waiting for their next poll. */
  notify(name: string): void {
    for (const id of this.workerIds.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /** Stops cron and intake of new jobs, lets in-flight jobs finish (up to `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    this.tasks.length = 0;
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({
      graceful: true,
      close: this.options.database.kind !== 'pglite',
      timeout: timeoutMs,
      wait: true,
    });
  }
}
