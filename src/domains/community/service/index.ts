import type { CommunityDeps } from './deps.js';
import type { MetricSource } from '../logic/metrics.js';
import { unknownTeamReason, unknownTeams, upsertCommunities, type CommunityInput } from './communities.js';
import { AppError } from '../../../core/errors.js';
import { ingestMetrics } from './ingest.js';
import { checkAlerts, decideAlert } from './alerts.js';
import { communityReport, dailyDigest, weeklyReport } from './reports.js';
import { reachOf } from './reach.js';
import { bindChat, closeChatDay, recordChatFacts, setDigestChat, type BindInput } from './chat.js';
import type { ChatFact } from '../logic/chat-events.js';

export type { CommunityDeps } from './deps.js';

/** The community workflow's use cases, each taking `now`. */
export function createCommunityService(deps: CommunityDeps) {
  return {
    deps,
    ingest: (rows: readonly unknown[], source: MetricSource, now: Date) => ingestMetrics(deps, rows, source, now),
    checkAlerts: (now: Date) => checkAlerts(deps, now),
    /** Reports as the person asking sees them (a team lead: their teams' communities); no one: everything. */
    dailyDigest: async (now: Date, viewer?: string) => dailyDigest(deps, now, await reachOf(deps, viewer)),
    weeklyReport: async (now: Date, viewer?: string) => weeklyReport(deps, now, await reachOf(deps, viewer)),
    communityReport: async (needle: string, now: Date, viewer?: string) =>
      communityReport(deps, needle, now, await reachOf(deps, viewer)),
    /** The digest to the operators' group (setting community.reporting); false when no group is set. */
    async sendDigest(now: Date): Promise<boolean> {
      const { digestChatId } = await deps.settings.reporting.get();
      if (!digestChatId) return false;
      const card = await dailyDigest(deps, now);
      await deps.feishu.messages.send({
        to: { chatId: digestChatId },
        card,
        key: `community:digest:${now.toISOString().slice(0, 10)}`,
      });
      return true;
    },
    /** Facts from a bound group's member and message events (idempotent per fact key). */
    recordChatFacts: (facts: readonly ChatFact[], now: Date) => recordChatFacts(deps, facts, now),
    /** The day's row for every Feishu-group community, events or not. */
    closeChatDay: (day: string, now: Date) => closeChatDay(deps, day, now),
    bindChat: (input: BindInput, now: Date) => bindChat(deps, input, now),
    setDigestChat: (input: Omit<BindInput, 'args'>, save: Parameters<typeof setDigestChat>[2]) =>
      setDigestChat(deps, input, save),
    decideAlert: (input: Parameters<typeof decideAlert>[1], now: Date) => decideAlert(deps, input, now),
    /**
     * Creates or updates communities by code. A team that is not one of the directory's teams refuses the whole
     * batch (400, naming each field: communities[i].team), before anything is written.
     */
    async upsertCommunities(inputs: readonly CommunityInput[], now: Date) {
      const unknown = await unknownTeams(deps.database, inputs);
      if (unknown.length > 0) {
        const fields = unknown.map((u) => ({
          field: `communities[${u.index}].team`,
          message: unknownTeamReason(u.team),
        }));
        throw new AppError('bad_request', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
      }
      const rows = await upsertCommunities(deps.database.db, inputs, now);
      for (const r of rows) await deps.onCommunityChanged?.(r.community);
      return rows;
    },
  };
}

export type CommunityService = ReturnType<typeof createCommunityService>;
