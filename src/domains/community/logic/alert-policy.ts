import { z } from 'zod';

/** The metrics alerts are about; each community has at most one alert per metric per day. */
export const ALERT_METRICS = [
  'leave_rate',
  'activity_rate',
  'active_members',
  'messages',
  'gmv',
  'silent',
  'leave_wave',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

export const ALERT_KINDS = ['threshold', 'drop', 'spike'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'muted'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Thresholds and anomaly sensitivity: data (setting `community.alerts`), defaults as the issue
 * asks — 7-day leave rate over 15%, activity under 3%.
 */
export const AlertPolicy = z.object({
  /** Σ left over the last 7 days ÷ opening members of those days above this → alert. */
  leaveRate7d: z.number().min(0).max(1).default(0.15),
  /** Σ active ÷ Σ members over the last 7 days below this → alert. */
  activityRate7d: z.number().min(0).max(1).default(0.03),
  /** Robust score (|value − expected| ÷ spread) from which a day is a drop or a spike. */
  anomalyScore: z.number().positive().default(4),
  /** …and the relative change it must also reach (a tiny group's 3 → 1 messages is not news). */
  minRelativeChange: z.number().min(0).default(0.4),
  /** A community whose usual day has at least this many messages and has none: "went silent". */
  silentMinMessages: z.number().int().nonnegative().default(10),
  /** A wave of leavers: at least this many people left in a day (and an anomalous number). */
  leaveWaveMin: z.number().int().nonnegative().default(10),
  /** When at least this share of a platform's communities report no row for the day, the feed is late. */
  lateFeedShare: z.number().min(0).max(1).default(0.5),
  /**
   * When this share (and at least 5) of a platform's communities drop together, it is one platform note, not N alerts.
   */
  platformWideShare: z.number().min(0).max(1).default(0.5),
  /** At most this many alert lines per operator card; the rest are counted. */
  maxPerCard: z.number().int().positive().max(40).default(15),
});
export type AlertPolicy = z.infer<typeof AlertPolicy>;
export const DEFAULT_ALERT_POLICY: AlertPolicy = AlertPolicy.parse({});
