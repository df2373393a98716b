// Calibration rounds for the dashboard bench: a year of Monday rounds (as qa.calibration-round starts them), each
// with `conversations` of the generated conversations scored blind by every bench inspector; the newest round is
// half scored, so the queue and the calibration panel have open work to show.
import { Columns, inTransaction, type Executor } from '../exceptions/generate.js';

const DAY = 86_400_000;

export interface CalibrationOptions {
  now: Date;
  inspectors: readonly string[];
  /** The generated conversations' ids are first + 1 … first + count. */
  conversationIds: { first: number; count: number };
  weeks?: number;
  conversations?: number;
}

/** Adds the rounds and their reviews; answers the reviews it inserted. */
export async function addCalibrationRounds(
  db: Executor,
  o: CalibrationOptions,
  random: () => number,
): Promise<{ rounds: number; reviews: number }> {
  const weeks = o.weeks ?? 52;
  const per = o.conversations ?? 5;
  if (o.conversationIds.count < per) return { rounds: 0, reviews: 0 };
  const step = Math.max(1, Math.floor(o.conversationIds.count / (weeks * per)));
  let reviews = 0;
  await inTransaction(db, async (tx) => {
    const rows = new Columns('qa_reviews', {
      conversation_id: 'bigint',
      scorecard_version: 'int',
      agent_open_id: 'text',
      inspector_open_id: 'text',
      state: 'text',
      sample_reason: 'text',
      calibration_round_id: 'bigint',
      score: 'real',
      result: 'text',
      created_at: 'timestamptz',
      scored_at: 'timestamptz',
    });
    for (let w = 0; w < weeks; w++) {
      const at = new Date(o.now.getTime() - (weeks - w) * 7 * DAY + DAY);
      const ids = Array.from(
        { length: per },
        (_, k) => o.conversationIds.first + 1 + (((w * per + k) * step) % o.conversationIds.count),
      );
      const { rows: made } = await tx.query(
        `insert into qa_calibration_rounds (name, created_by, conversation_ids, inspectors, created_at)
         values ($1, 'bench', $2::jsonb, $3::jsonb, $4) returning id::int as id`,
        [`压测校准 Bench calibration W${w}`, JSON.stringify(ids), JSON.stringify(o.inspectors), at],
      );
      const round = (made[0] as { id: number }).id;
      const { rows: agents } = await tx.query(
        'select id::int as id, agent_open_id from qa_conversations where id = any($1::bigint[])',
        [ids],
      );
      for (const c of agents as Array<{ id: number; agent_open_id: string }>) {
        const truth = 60 + random() * 40;
        for (const inspector of o.inspectors) {
          // The newest round: every other inspector has not scored yet.
          const scored = w < weeks - 1 || random() < 0.5;
          const score = scored ? Math.round(Math.min(100, Math.max(0, truth + (random() - 0.5) * 20))) : null;
          rows.push({
            conversation_id: c.id,
            scorecard_version: 1,
            agent_open_id: c.agent_open_id,
            inspector_open_id: inspector,
            state: scored ? 'scored' : 'to_score',
            sample_reason: 'calibration',
            calibration_round_id: round,
            score,
            result: score === null ? null : score >= 80 ? 'pass' : 'fail',
            created_at: at,
            scored_at: scored ? new Date(at.getTime() + DAY) : null,
          });
        }
      }
    }
    reviews = await rows.flush(tx);
  });
  return { rounds: weeks, reviews };
}
