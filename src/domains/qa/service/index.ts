import { qaRepo } from '../repository.js';
import type { QaDeps } from './context.js';
import { ingestConversations } from './ingest.js';
import { nextReview, scoreReview, scoringCardShown, viewReview, type ScoreInput } from './review.js';
import { runSampling } from './sampling.js';
import { sampleSizes } from './sample-sizes.js';
import { calibrationReport, startRound, type RoundInput } from './calibration.js';
import { currentScorecard, publishAs } from './scorecard.js';

/** The QA use cases, bound to their deps once (index.ts). */
export function createQaService(deps: QaDeps) {
  return {
    deps,
    ingest: (items: Parameters<typeof ingestConversations>[1], source: string) =>
      ingestConversations(deps, items, source),
    publish: (by: string, now: Date, note?: string) => publishAs(deps, by, now, note),
    current: (now: Date) => currentScorecard(deps, now),
    draft: () => deps.settings.scorecard.get(),
    next: (inspector: string, now: Date, shownIn?: string) => nextReview(deps, inspector, now, shownIn),
    shownIn: (review: Parameters<typeof scoringCardShown>[1], messageId: string) =>
      scoringCardShown(deps, review, messageId),
    view: (id: number) => viewReview(deps, id),
    score: (input: ScoreInput, now: Date) => scoreReview(deps, input, now),
    sample: (input: Parameters<typeof runSampling>[1], now: Date) => runSampling(deps, input, now),
    startCalibration: (input: RoundInput, now: Date) => startRound(deps, input, now),
    calibrationReport: (round: number | null, who: string | null) => calibrationReport(deps, round, who),
    sizes: (input: Parameters<typeof sampleSizes>[1]) => sampleSizes(deps, input),
    async channelName(channel: string): Promise<string> {
      return (await deps.settings.channels.get()).names[channel] ?? channel;
    },
    repo: qaRepo,
  };
}
export type QaService = ReturnType<typeof createQaService>;
