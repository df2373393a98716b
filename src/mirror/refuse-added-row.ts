import type { DecodedRecord } from '../bitable/codec.js';
import type { MirrorChange } from './changes.js';
import type { MirrorContext } from './mirror-context.js';
import { addRefusalMessage } from './refusal-message.js';
import type { TableSpec } from './table-spec.js';
import { writeRecords } from './writes.js';

/**
 * A row people added that `onAdd` refused: the person is told why (once per reason: the refusal field shows
 * the reason already told), then the row is marked. Told first, so a crash in between tells again under the
 * same key (one message) rather than never.
 */
export async function refuseAddedRow(
  ctx: MirrorContext,
  tableKey: string,
  spec: Pick<TableSpec<unknown>, 'refusalField' | 'label'>,
  change: MirrorChange,
  record: DecodedRecord,
  reason: string,
): Promise<void> {
  const field = spec.refusalField;
  const shown = field ? record[field] : undefined;
  if (typeof shown === 'string' && shown.trim() === reason) return;
  const { template } = await ctx.table(tableKey);
  const primary = record[template.primaryField];
  const label = typeof primary === 'string' && primary.trim() ? primary.trim() : change.recordId;
  ctx.log.info({ tableKey, recordId: change.recordId, operator: change.operatorOpenId }, 'bitable row not taken');
  const messages = ctx.deps.feishu.messages;
  if (change.operatorOpenId && messages)
    await messages.send({
      to: { openId: change.operatorOpenId },
      key: `${change.key}:refused`,
      text: addRefusalMessage(spec.label ?? template.name, label, reason),
    });
  if (field)
    await writeRecords(ctx, tableKey, [{ recordId: change.recordId, values: { [field]: reason } }], {
      key: `${change.key}:refused-row`,
    });
}
