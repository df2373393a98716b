import { shorten } from '../../core/text.js';

/**
 * One length limit per case field, for every way in: chat, card forms, the API and Bitable rows.
 * Lengths count UTF-16 units, as JavaScript and Feishu's input max_length do.
 *
 * What each way does with text over its limit, and why:
 * - API: 422 naming the field. A system sent it and can send it right; cutting would store
 *   something it never sent.
 * - Chat and card forms: a reply or toast saying the limit. The person is right there and can
 *   shorten it; nothing is stored that they did not see.
 * - Bitable rows: the case opens with free text (title, description, resolution) cut at the limit
 *   with "…", and the person who added the row gets a DM saying so. Someone who pastes a long
 *   complaint into the grid expects the case to open (a lost parcel must not wait for an edit);
 *   the grid then shows what the workflow holds (it never disagrees with it), so the cut is
 *   visible there too. References (order number, shop, channel) are never cut: a cut one would
 *   name something else, so they are refused like any bad edit.
 */
export const LIMITS = {
  source: 40,
  externalId: 128,
  kind: 64,
  title: 200,
  description: 2000,
  orderNo: 64,
  channel: 40,
  shop: 100,
  trackingNumber: 40,
  amountText: 20,
  person: 100,
  counterparty: 100,
  note: 500,
  resolution: 2000,
} as const;
export type LimitedField = keyof typeof LIMITS;

/** Labels for messages about a field. */
const LABELS: Partial<Record<LimitedField, string>> = {
  title: '标题 title',
  description: '描述 description',
  orderNo: '订单号 order number',
  trackingNumber: '快递单号 tracking number',
  resolution: '处理结果 resolution',
  note: '备注 note',
};

export function tooLongMessage(field: LimitedField, length: number): string {
  const label = LABELS[field] ?? field;
  return (
    `${label} 最多 ${LIMITS[field]} 字，现在 ${length} 字，请精简后再发 · is limited to ${LIMITS[field]} characters (${length}` +
    ` now), please shorten it`
  );
}

/** Text cut to its field's limit with "…", and whether it was cut. */
export function fitToLimit(field: LimitedField, text: string): { text: string; cut: boolean } {
  return text.length > LIMITS[field] ? { text: shorten(text, LIMITS[field]), cut: true } : { text, cut: false };
}
