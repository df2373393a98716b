import { md, type Markdown } from '../../../core/cards/markdown.js';
import { bi, type Bilingual } from '../../shared/bilingual.js';
import type { AlertKind, AlertMetric } from '../logic/alert-policy.js';
import { percent, yuan } from '../logic/definitions.js';
import { platformName } from '../logic/platforms.js';

export const METRIC_NAMES: Readonly<Record<AlertMetric, Bilingual>> = {
  leave_rate: bi('7日退群率', '7-day leave rate'),
  activity_rate: bi('7日活跃率', '7-day activity rate'),
  active_members: bi('活跃成员', 'Active members'),
  messages: bi('消息数', 'Messages'),
  gmv: bi('成交金额', 'GMV'),
  silent: bi('群沉默', 'Gone silent'),
  leave_wave: bi('退群潮', 'Wave of leavers'),
};

const KIND_NAMES: Readonly<Record<AlertKind, string>> = {
  threshold: '超阈值 over threshold',
  drop: '骤降 drop',
  spike: '骤增 spike',
};

const figure = (metric: AlertMetric, v: number): string =>
  metric === 'leave_rate' || metric === 'activity_rate'
    ? percent(v)
    : metric === 'gmv'
      ? yuan(v)
      : String(Math.round(v));

/** One alert in words: the community, what moved, the value and what it is compared with. */
export function alertText(a: {
  communityName: string;
  platform: string;
  metric: AlertMetric;
  kind: AlertKind;
  value: number;
  baseline: number;
}): Markdown {
  const m = METRIC_NAMES[a.metric];
  const against = a.kind === 'threshold' ? '阈值 threshold' : '基线 baseline';
  return md`**${a.communityName}** · ${platformName(a.platform).zh}\n${m.zh} ${m.en}：**${figure(
    a.metric,
    a.value,
  )}**（${against} ${figure(a.metric, a.baseline)}）· ${KIND_NAMES[a.kind]}`;
}
