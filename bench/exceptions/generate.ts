// Synthetic exception history for the reports bench (issue "Reports that scale"): cases with
// about 6.5 state changes each, 3 % open, spread over a year, written straight into the
// repository's tables with multi-row inserts (unnest of column arrays, a few thousand rows per
// statement). Results rows and the daily rollup are NOT written here: the bot's own backfill
// computes them at start, so the bench also exercises that path and measures its time.
//
// Run on its own to fill a database: `npx tsx bench/exceptions/generate.ts --cases 10000`
// (DATABASE_URL, already migrated by the app).

/** One connection (a pg Client, PGlite) or the app's Database, whose transactions hold one. */
export interface Executor {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction?: <T>(fn: (tx: Executor) => Promise<T>) => Promise<T>;
}

export async function inTransaction(db: Executor, fn: (tx: Executor) => Promise<void>): Promise<void> {
  if (db.transaction) return db.transaction(fn);
  await db.query('begin');
  try {
    await fn(db);
    await db.query('commit');
  } catch (err) {
    await db.query('rollback');
    throw err;
  }
}

export interface GenerateOptions {
  /** How many cases to add (appended after the existing ones). */
  cases: number;
  /** Reference time: no history after it; open cases were opened in the 3 days before. */
  now: Date;
  /** Share of the added cases left open (default 0.03). */
  openShare?: number;
  /** Finished cases are opened uniformly over this many days before `now` (default 365). */
  days?: number;
  seed?: number;
  /** Cases per transaction (default 5000). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Generated {
  cases: number;
  open: number;
  history: number;
  approvals: number;
  claims: number;
  openClaims: number;
  escalations: number;
  firstId: number;
  lastId: number;
  ms: number;
}

const KINDS = [
  { id: 'refund_dispute', team: 'refund_dispute', priority: 'P1', number: 'return_tracking_number' },
  { id: 'lost', team: 'logistics', priority: 'P2', number: 'tracking_number' },
  { id: 'damaged', team: 'customer_service', priority: 'P2', number: 'tracking_number' },
  { id: 'delayed', team: 'logistics', priority: 'P3', number: 'tracking_number' },
  { id: 'wrong_or_missing_item', team: 'warehouse', priority: 'P2', number: 'tracking_number' },
  { id: 'returned_without_after_sale', team: 'warehouse', priority: 'P3', number: 'return_tracking_number' },
  { id: 'address_problem', team: 'customer_service', priority: 'P2', number: 'tracking_number' },
  { id: 'loss_recovery', team: 'finance', priority: 'P3', number: 'tracking_number' },
] as const;
const CHANNELS = ['tmall', 'jd', 'douyin', 'store', 'private'] as const;

type Step = readonly [state: string, action: string];
const OPENING: Step[] = [
  ['new', 'create'],
  ['assigned', 'assign'],
];
const FINISH: Step[] = [
  ['resolved', 'resolve'],
  ['closed', 'close'],
];
/** Four paths of 5, 6, 7 and 8 entries, equally likely: 6.5 history rows per finished case. */
const PATHS: Step[][] = [
  [...OPENING, ['in_progress', 'start'], ...FINISH],
  [...OPENING, ['waiting_warehouse', 'wait_warehouse'], ['in_progress', 'field_filled'], ...FINISH],
  [...OPENING, ['in_progress', 'start'], ['waiting_customer', 'wait_customer'], ['in_progress', 'resume'], ...FINISH],
  [
    ...OPENING,
    ['waiting_warehouse', 'wait_warehouse'],
    ['in_progress', 'field_filled'],
    ['pending_approval', 'request_approval'],
    ['in_progress', 'approve'],
    ...FINISH,
  ],
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Small deterministic PRNG (mulberry32): the same seed makes the same history. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Columns<T extends Record<string, string>> {
  readonly data: { [K in keyof T]: unknown[] };
  constructor(
    private readonly table: string,
    private readonly types: T,
  ) {
    this.data = Object.fromEntries(Object.keys(types).map((k) => [k, []])) as unknown as { [K in keyof T]: unknown[] };
  }
  push(row: { [K in keyof T]: unknown }): void {
    for (const k of Object.keys(this.types) as Array<keyof T>) this.data[k].push(row[k]);
  }
  get length(): number {
    return (Object.values(this.data)[0] as unknown[]).length;
  }
  async flush(db: Executor): Promise<number> {
    const n = this.length;
    if (n === 0) return 0;
    const keys = Object.keys(this.types) as Array<keyof T & string>;
    const arrays = keys.map((k, i) => `$${i + 1}::${this.types[k]}[]`).join(', ');
    const text = `insert into ${this.table} (${keys.join(', ')}) select * from unnest(${arrays})`;
    await db.query(
      text,
      keys.map((k) => this.data[k]),
    );
    for (const k of keys) this.data[k] = [];
    return n;
  }
}

const newCases = () =>
  new Columns('exceptions_cases', {
    id: 'bigint',
    kind: 'text',
    priority: 'text',
    state: 'text',
    title: 'text',
    source: 'text',
    external_id: 'text',
    channel: 'text',
    order_no: 'text',
    fields: 'jsonb',
    team_key: 'text',
    owner_open_id: 'text',
    warehouse_open_id: 'text',
    amount_at_risk_fen: 'bigint',
    refunded_fen: 'bigint',
    recovered_fen: 'bigint',
    written_off_fen: 'bigint',
    dispute_outcome: 'text',
    platform_due_at: 'timestamptz',
    opened_at: 'timestamptz',
    waiting_since: 'timestamptz',
    last_nudge_at: 'timestamptz',
    nudge_count: 'int',
    resolved_at: 'timestamptz',
    card_message_id: 'text',
    bitable_record_id: 'text',
    version: 'int',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  });
const newHistory = () =>
  new Columns('exceptions_state_history', {
    case_id: 'bigint',
    state: 'text',
    action: 'text',
    actor_open_id: 'text',
    at: 'timestamptz',
  });
const newAudit = () =>
  new Columns('exceptions_audit', {
    case_id: 'bigint',
    action: 'text',
    actor_open_id: 'text',
    details: 'jsonb',
    at: 'timestamptz',
  });
const newApprovals = () =>
  new Columns('exceptions_approvals', {
    case_id: 'bigint',
    purpose: 'text',
    amount_fen: 'bigint',
    band: 'text',
    approver_role: 'text',
    decision: 'text',
    requested_by: 'text',
    decided_by: 'text',
    requested_at: 'timestamptz',
    decided_at: 'timestamptz',
  });
const newClaims = () =>
  new Columns('exceptions_recovery_claims', {
    case_id: 'bigint',
    counterparty_type: 'text',
    counterparty: 'text',
    claim_fen: 'bigint',
    recovered_fen: 'bigint',
    written_off_fen: 'bigint',
    state: 'text',
    owner_open_id: 'text',
    opened_at: 'timestamptz',
    last_activity_at: 'timestamptz',
    closed_at: 'timestamptz',
  });
const newEscalations = () =>
  new Columns('exceptions_escalations', {
    case_id: 'bigint',
    step: 'text',
    manual: 'bool',
    recipient_open_id: 'text',
    sent_at: 'timestamptz',
  });

/** Appends `o.cases` synthetic cases with their histories, approvals, claims and sent ladder steps. */
export async function generateExceptions(db: Executor, o: GenerateOptions): Promise<Generated> {
  const started = Date.now();
  const openShare = o.openShare ?? 0.03;
  const days = o.days ?? 365;
  const batch = o.batch ?? 5000;
  const now = o.now.getTime();
  const { rows } = await db.query('select coalesce(max(id), 0)::bigint as max from exceptions_cases');
  const firstId = Number((rows[0] as { max: string | number }).max) + 1;
  const random = prng((o.seed ?? 20261130) + firstId);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: Generated = {
    cases: 0,
    open: 0,
    history: 0,
    approvals: 0,
    claims: 0,
    openClaims: 0,
    escalations: 0,
    firstId,
    lastId: firstId - 1,
    ms: 0,
  };

  for (let from = 0; from < o.cases; from += batch) {
    const cases = newCases();
    const history = newHistory();
    const audit = newAudit();
    const approvals = newApprovals();
    const claims = newClaims();
    const escalations = newEscalations();
    for (let i = from; i < Math.min(o.cases, from + batch); i++) {
      const id = firstId + i;
      const kind = pick(KINDS);
      const channel = pick(CHANNELS);
      const owner = `ou_bench_${kind.team}_${Math.floor(random() * 8)}`;
      const open = random() < openShare;
      // Finished cases over the whole period (done by now); open ones in the last three days (they would be finished
      // otherwise).
      const openedAt = open ? now - random() * 3 * DAY : now - 4 * DAY - random() * (days - 4) * DAY;
      const path = pick(PATHS);
      // Most cases finish inside the one-day target; one in five takes one to three days.
      const cycle = (random() < 0.8 ? 60 + random() * 1200 : 1500 + random() * 2800) * MINUTE;
      const times = path.map((_, k) => (k === 0 ? openedAt : k === 1 ? openedAt + random() * 5 * MINUTE : 0));
      for (let k = 2; k < path.length; k++)
        times[k] =
          k === path.length - 1
            ? times[k - 1]! + 10 * MINUTE + random() * 600 * MINUTE
            : openedAt + (cycle * (k - 1)) / (path.length - 3);
      // An open case stops at a random step before 'resolved' that has already happened.
      let steps = path.length;
      if (open) {
        steps = 2 + Math.floor(random() * (path.length - 3));
        while (steps > 2 && times[steps - 1]! >= now) steps--;
      }
      const taken = path.slice(0, steps);
      const state = taken.at(-1)![0];
      const finishedAt = open ? null : times[path.length - 2]!;
      for (let k = 0; k < steps; k++) {
        const [s, action] = taken[k]!;
        const actor = k === 0 ? 'ou_bench_reporter' : k === 1 ? null : owner;
        const at = new Date(times[k]!);
        history.push({ case_id: id, state: s, action, actor_open_id: actor, at });
        audit.push({
          case_id: id,
          action,
          actor_open_id: actor,
          details: JSON.stringify({ from: k === 0 ? null : taken[k - 1]![0], to: s }),
          at,
        });
      }
      const amount = Math.round((30 + random() * 1500) * 100);
      const approved = path === PATHS[3] && steps >= 6;
      if (path === PATHS[3] && steps >= 5) {
        approvals.push({
          case_id: id,
          purpose: 'refund',
          amount_fen: Math.round(amount * 0.6),
          band: 'lead',
          approver_role: 'lead',
          decision: approved ? 'approved' : 'pending',
          requested_by: owner,
          decided_by: approved ? `ou_bench_${kind.team}_lead` : null,
          requested_at: new Date(times[4]!),
          decided_at: approved ? new Date(times[5]!) : null,
        });
        out.approvals++;
      }
      let recovered = 0;
      let writtenOff = 0;
      if ((kind.id === 'lost' || kind.id === 'damaged' || kind.id === 'loss_recovery') && random() < 0.4) {
        // Finished cases' claims are mostly settled; one in ten still open, as are open cases' claims.
        const claimOpen = open || random() < 0.1;
        const claimedAt = openedAt + 30 * MINUTE;
        recovered = claimOpen ? 0 : random() < 0.7 ? amount : 0;
        writtenOff = claimOpen || recovered > 0 ? 0 : amount;
        const lastActivity = claimOpen
          ? Math.min(now - MINUTE, claimedAt + random() * 10 * DAY)
          : claimedAt + random() * 10 * DAY;
        claims.push({
          case_id: id,
          counterparty_type: 'carrier',
          counterparty: '顺丰速运 SF Express',
          claim_fen: amount,
          recovered_fen: recovered,
          written_off_fen: writtenOff,
          state: claimOpen ? 'open' : recovered > 0 ? 'recovered' : 'written_off',
          owner_open_id: owner,
          opened_at: new Date(claimedAt),
          last_activity_at: new Date(lastActivity),
          closed_at: claimOpen ? null : new Date(lastActivity),
        });
        out.claims++;
        if (claimOpen) out.openClaims++;
      }
      // Open cases: the ladder steps a running bot would have sent by now (the sweep's steady state).
      if (open) {
        const age = now - openedAt;
        const sent =
          age > 24 * HOUR ? ['warn_owner', 'notify_lead', 'notify_manager'] : age > 12 * HOUR ? ['warn_owner'] : [];
        for (const step of sent)
          escalations.push({
            case_id: id,
            step,
            manual: false,
            recipient_open_id: owner,
            sent_at: new Date(openedAt + (step === 'warn_owner' ? 12 : 24) * HOUR),
          });
        out.escalations += sent.length;
      }
      const waiting = state.startsWith('waiting_');
      const lastAt = times[steps - 1]!;
      const waitingWarehouse = state === 'waiting_warehouse';
      cases.push({
        id,
        kind: kind.id,
        priority: kind.priority,
        state,
        title: `压测 Bench case ${id}`,
        source: 'bench',
        external_id: `bench-${id}`,
        channel,
        order_no: `${channel.slice(0, 2).toUpperCase()}${String(2026000000 + id)}`,
        // A case waiting on the warehouse lacks its number; every other case has it.
        fields: JSON.stringify(waitingWarehouse ? {} : { [kind.number]: `SF${String(1e12 + id)}` }),
        team_key: kind.team,
        owner_open_id: owner,
        warehouse_open_id: waitingWarehouse ? 'ou_bench_warehouse' : null,
        amount_at_risk_fen: amount,
        refunded_fen: approved ? Math.round(amount * 0.6) : 0,
        recovered_fen: recovered,
        written_off_fen: writtenOff,
        dispute_outcome: kind.id === 'refund_dispute' && !open ? (random() < 0.65 ? 'won' : 'lost') : null,
        platform_due_at: kind.id === 'refund_dispute' ? new Date(openedAt + 48 * HOUR) : null,
        opened_at: new Date(openedAt),
        waiting_since: waiting ? new Date(lastAt) : null,
        // Reminded within the last hour: the sweep finds some due, not all.
        last_nudge_at: waitingWarehouse ? new Date(Math.max(lastAt, now - random() * HOUR)) : null,
        nudge_count: waitingWarehouse ? 1 : 0,
        resolved_at: finishedAt === null ? null : new Date(finishedAt),
        card_message_id: `om_bench_case_${id}`,
        bitable_record_id: `rec_bench_${id}`,
        version: steps,
        created_at: new Date(openedAt),
        updated_at: new Date(lastAt),
      });
      out.cases++;
      if (open) out.open++;
      out.lastId = id;
    }
    // One transaction per batch; cases first (the others reference them).
    await inTransaction(db, async (tx) => {
      await cases.flush(tx);
      out.history += await history.flush(tx);
      await audit.flush(tx);
      await approvals.flush(tx);
      await claims.flush(tx);
      await escalations.flush(tx);
    });
    o.onProgress?.(Math.min(o.cases, from + batch), o.cases);
  }
  await db.query(
    `select setval(pg_get_serial_sequence('exceptions_cases', 'id'), (select max(id) from exceptions_cases))`,
  );
  await db.query(
    'analyze exceptions_cases, exceptions_state_history, exceptions_audit, ' +
      'exceptions_approvals, exceptions_recovery_claims, ' +
      'exceptions_escalations',
  );
  out.ms = Date.now() - started;
  return out;
}

// As a script: fill DATABASE_URL's (migrated) database.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { parseArgs } = await import('node:util');
  const pg = (await import('pg')).default;
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '10000' }, seed: { type: 'string' } } });
  const client = new pg.Client({
    connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    const r = await generateExceptions(client, {
      cases: Number(values.cases),
      now: new Date(),
      ...(values.seed ? { seed: Number(values.seed) } : {}),
    });
    console.log(JSON.stringify(r));
  } finally {
    await client.end();
  }
}
