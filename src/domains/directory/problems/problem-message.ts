import { shorten } from '../../../core/text.js';

/** One problem with a settings row, as the person told about it reads it. */
export interface ProblemLine {
  table: string;
  row: string;
  /** The column's name, or '' when the problem is with the row as a whole. */
  field: string;
  value: string;
  reason: string;
  /** What happens now (Chinese · English); default: a settings row's last valid version stays in force. */
  outcome?: string;
}

/** The outcome of a 人员与角色 / 团队 / 工作日历 row the directory could not use (bitable-sync.ts). */
export const DIRECTORY_ROW_NOT_USED =
  '该行（或其中这一项）暂未采用，改正后下次同步自动生效。The row (or this part of it) is not used yet; fixed, it is taken at the next sync.';

/** A settings row's outcome. */
export const KEPT_LAST_VALID =
  '该行上次有效的设置继续生效，改正后自动采用。The row’s last valid setting stays in force; the row is taken once fixed.';

/**
 * Text from a cell as it may stand in a text message: one line, bounded, and no `<at …>` tag
 * (a text message may mention everyone with `<at user_id="all"></at>`: Lark docs, server-docs/historic-version/
 * im-chat/message/send-message/send-text-message).
 */
export function plain(text: string, max = 100): string {
  return shorten(text.replace(/\s+/g, ' ').replace(/</g, '＜').replace(/>/g, '＞').trim(), max);
}

/**
 * The DM for a settings row the workflows could not use. Plain text like the grid's other refusal
 * DMs (src/mirror/refusal-message.ts): the values are people's text, never markdown.
 */
export function problemMessage(p: ProblemLine): string {
  const field = p.field ? plain(p.field, 40) : '（整行 whole row）';
  return [
    `多维表格「${plain(p.table, 40)}」中的一行未生效 · A row of ${plain(p.table, 40)} was not applied`,
    `行 Row：${plain(p.row, 60)}`,
    `字段 Field：${field}`,
    ...(p.field ? [`值 Value：「${plain(p.value)}」`] : []),
    `原因 Why：${plain(p.reason, 200)}`,
    p.outcome ?? KEPT_LAST_VALID,
  ].join('\n');
}
