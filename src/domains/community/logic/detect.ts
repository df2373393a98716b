import { baselineFor, robustScore, type Baseline, type Series } from './baseline.js';
import type { AlertKind, AlertMetric, AlertPolicy } from './alert-policy.js';
import { ratio } from './definitions.js';
import type { DailyFigures } from './metrics.js';

/** One community's recent days: day number → figures (absent = no row that day). */
export type History = ReadonlyMap<number, DailyFigures>;

/** What the check found for one community on one day, before mutes and the one-per-day rule. */
export interface Finding {
  metric: AlertMetric;
  kind: AlertKind;
  /** The day's value (a rate as a fraction, money in fen). */
  value: number;
  /** Threshold or expected value it is compared with. */
  baseline: number;
  /** Robust score for anomalies, null for thresholds. */
  score: number | null;
}

export type Verdict = { status: 'late' } | { status: 'checked'; findings: Finding[] };

const seriesOf = (history: History, pick: (f: DailyFigures) => number): Series => {
  const s = new Map<number, number>();
  for (const [d, f] of history) s.set(d, pick(f));
  return s;
};

/** Sums over the 7 days ending on `day` (days without a row left out), per the definitions. */
function week(
  history: History,
  day: number,
): { left: number; opening: number; active: number; memberDays: number } | null {
  const rows = [...Array(7).keys()]
    .map((i) => history.get(day - 6 + i))
    .filter((f): f is DailyFigures => f !== undefined);
  if (rows.length === 0) return null;
  const first = rows[0]!;
  return {
    left: rows.reduce((n, f) => n + f.membersLeft, 0),
    opening: first.membersTotal - first.membersJoined + first.membersLeft,
    active: rows.reduce((n, f) => n + f.activeMembers, 0),
    memberDays: rows.reduce((n, f) => n + f.membersTotal, 0),
  };
}

function anomaly(
  metric: AlertMetric,
  value: number,
  b: Baseline | null,
  policy: AlertPolicy,
  directions: readonly ('drop' | 'spike')[],
): Finding | null {
  if (!b) return null;
  const score = robustScore(value, b);
  const change = b.expected > 0 ? Math.abs(value - b.expected) / b.expected : value > 0 ? Infinity : 0;
  if (Math.abs(score) < policy.anomalyScore || change < policy.minRelativeChange) return null;
  const kind = score < 0 ? 'drop' : 'spike';
  return directions.includes(kind) ? { metric, kind, value, baseline: b.expected, score } : null;
}

/**
 * The day's findings for one community: thresholds on the 7-day leave and activity rates, and
 * anomalies against the robust weekday baseline (drops and spikes of active members and
 * messages, GMV drops, a community going silent, a wave of leavers). No row for the day →
 * "late": nothing is judged on a missing day.
 */
export function detect(history: History, day: number, policy: AlertPolicy): Verdict {
  const today = history.get(day);
  if (!today) return { status: 'late' };
  const findings: Finding[] = [];
  const w = week(history, day);
  const leaveRate = w && ratio(w.left, w.opening);
  if (leaveRate !== null && leaveRate !== undefined && leaveRate > policy.leaveRate7d) {
    findings.push({
      metric: 'leave_rate',
      kind: 'threshold',
      value: leaveRate,
      baseline: policy.leaveRate7d,
      score: null,
    });
  }
  const activity = w && ratio(w.active, w.memberDays);
  if (activity !== null && activity !== undefined && activity < policy.activityRate7d) {
    findings.push({
      metric: 'activity_rate',
      kind: 'threshold',
      value: activity,
      baseline: policy.activityRate7d,
      score: null,
    });
  }
  const messages = baselineFor(
    seriesOf(history, (f) => f.messages),
    day,
  );
  if (today.messages === 0 && messages && messages.expected >= policy.silentMinMessages) {
    findings.push({
      metric: 'silent',
      kind: 'drop',
      value: 0,
      baseline: messages.expected,
      score: robustScore(0, messages),
    });
  } else {
    const m = anomaly('messages', today.messages, messages, policy, ['drop', 'spike']);
    if (m) findings.push(m);
  }
  const active = anomaly(
    'active_members',
    today.activeMembers,
    baselineFor(
      seriesOf(history, (f) => f.activeMembers),
      day,
    ),
    policy,
    ['drop', 'spike'],
  );
  if (active) findings.push(active);
  const gmv = anomaly(
    'gmv',
    today.gmvFen,
    baselineFor(
      seriesOf(history, (f) => f.gmvFen),
      day,
    ),
    policy,
    ['drop'],
  );
  if (gmv) findings.push(gmv);
  if (today.membersLeft >= policy.leaveWaveMin) {
    const wave = anomaly(
      'leave_wave',
      today.membersLeft,
      baselineFor(
        seriesOf(history, (f) => f.membersLeft),
        day,
      ),
      policy,
      ['spike'],
    );
    if (wave) findings.push(wave);
  }
  return { status: 'checked', findings };
}

/** A finding tied to its community, for the platform-wide check. */
export interface CommunityFinding extends Finding {
  communityId: number;
  platform: string;
}

/**
 * Storm guard: when a platform's feed is late (many communities without a row) or a share of its
 * communities drop on the same metric together, the cause is the platform or its export, not
 * each community — those findings become one platform note instead of one alert each.
 */
export function platformWide(
  verdicts: ReadonlyArray<{ communityId: number; platform: string; verdict: Verdict }>,
  policy: AlertPolicy,
): {
  alerts: CommunityFinding[];
  latePlatforms: string[];
  platformNotes: Array<{ platform: string; metric: AlertMetric; communities: number }>;
} {
  const byPlatform = new Map<string, typeof verdicts>();
  for (const v of verdicts) byPlatform.set(v.platform, [...(byPlatform.get(v.platform) ?? []), v]);
  const alerts: CommunityFinding[] = [];
  const latePlatforms: string[] = [];
  const platformNotes: Array<{ platform: string; metric: AlertMetric; communities: number }> = [];
  for (const [platform, list] of byPlatform) {
    const late = list.filter((v) => v.verdict.status === 'late').length;
    if (late > 0 && late >= policy.lateFeedShare * list.length) latePlatforms.push(platform);
    const findings = list.flatMap((v) =>
      v.verdict.status === 'checked'
        ? v.verdict.findings.map((f) => ({ ...f, communityId: v.communityId, platform }))
        : [],
    );
    const together = new Map<string, number>();
    for (const f of findings) if (f.kind === 'drop') together.set(f.metric, (together.get(f.metric) ?? 0) + 1);
    const wide = new Set<string>();
    for (const [metric, n] of together) {
      if (n >= 5 && n >= policy.platformWideShare * list.length) {
        wide.add(metric);
        platformNotes.push({ platform, metric: metric as AlertMetric, communities: n });
      }
    }
    alerts.push(...findings.filter((f) => !(f.kind === 'drop' && wide.has(f.metric))));
  }
  return { alerts, latePlatforms, platformNotes };
}
