import { z } from 'zod';
import { bi, err, ok, type Bilingual, type DomainProblem, type Result } from '../../shared/bilingual.js';
import { Priority } from './case.js';

const Text = z.object({ zh: z.string().min(1), en: z.string().min(1) });

/** A field the warehouse (or whoever the case waits on) must fill in. */
export const CaseFieldDefinition = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  label: Text,
  /** tracking_number values are validated by tracking-numbers.ts; attachment is a file or image key. */
  format: z.enum(['tracking_number', 'text', 'attachment']),
});
export type CaseFieldDefinition = z.infer<typeof CaseFieldDefinition>;

export const CaseKind = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  label: Text,
  /** Team that owns the case by default; routing maps it to a chat group and an owner. */
  team: z.string().min(1),
  priority: Priority,
  /** Field ids the warehouse must fill before the case can move on. */
  requiredFields: z.array(z.string()).default([]),
  /** Other names people type in chat for this kind (older names, each half of 错发/漏发); never shown. */
  aliases: z.array(z.string().min(1)).default([]),
});
export type CaseKind = z.infer<typeof CaseKind>;

export const DEFAULT_FIELDS: readonly CaseFieldDefinition[] = [
  { id: 'tracking_number', label: bi('快递单号', 'Tracking number'), format: 'tracking_number' },
  { id: 'return_tracking_number', label: bi('退货单号', 'Return tracking number'), format: 'tracking_number' },
  { id: 'damage_photos', label: bi('破损照片', 'Damage photos'), format: 'attachment' },
  { id: 'packing_video', label: bi('打包视频', 'Packing video'), format: 'attachment' },
];

type KindInput = z.input<typeof CaseKind>;
const kind = (
  id: string,
  label: Bilingual,
  team: string,
  priority: Priority,
  requiredFields: string[],
  aliases: string[] = [],
): KindInput => ({
  id,
  label,
  team,
  priority,
  requiredFields,
  aliases,
});

/**
 * The one list of kinds. The Chinese names are the option names of 异常件工单.异常类型 and
 * 规则配置.异常类型 (bitable-templates/*.json; a test keeps them equal) and of the 异常类型配置 rows
 * the seed writes: chat, cards, the grid and reports all say the same name. Aliases are accepted
 * in chat only (the names used before, or one half of a two-part name).
 */
export const DEFAULT_KINDS: readonly KindInput[] = [
  kind(
    'refund_dispute',
    bi('退款纠纷/拒付', 'Refund dispute / chargeback'),
    'refund_dispute',
    'P1',
    ['return_tracking_number'],
    ['退款维权', '退款纠纷', '拒付', '维权'],
  ),
  kind('lost', bi('丢件', 'Lost parcel'), 'logistics', 'P2', ['tracking_number']),
  kind('damaged', bi('破损', 'Damaged parcel'), 'customer_service', 'P2', ['tracking_number', 'damage_photos']),
  kind(
    'delayed',
    bi('延误/物流停滞', 'Delayed / no tracking updates'),
    'logistics',
    'P3',
    ['tracking_number'],
    ['物流停滞', '延误'],
  ),
  kind(
    'wrong_or_missing_item',
    bi('错发/漏发', 'Wrong or missing item'),
    'warehouse',
    'P2',
    ['tracking_number', 'packing_video'],
    ['错漏发', '错发', '漏发'],
  ),
  kind(
    'returned_without_after_sale',
    bi('无售后退回件', 'Returned parcel without an after-sale record'),
    'warehouse',
    'P3',
    ['return_tracking_number'],
    ['退回无售后'],
  ),
  kind(
    'address_problem',
    bi('地址问题', 'Address problem'),
    'customer_service',
    'P2',
    ['tracking_number'],
    ['地址异常'],
  ),
  kind('loss_recovery', bi('资损追款', 'Loss-recovery claim'), 'finance', 'P3', ['tracking_number']),
];

/** The configurable list of kinds and fields; ids unique, every required field defined. */
export const CaseKindsConfig = z
  .object({
    fields: z.array(CaseFieldDefinition).default(() => DEFAULT_FIELDS.map((f) => ({ ...f }))),
    kinds: z
      .array(CaseKind)
      .min(1)
      .default(() => DEFAULT_KINDS.map((k) => CaseKind.parse(k))),
  })
  .superRefine((config, ctx) => {
    const fieldIds = new Set(config.fields.map((f) => f.id));
    if (fieldIds.size !== config.fields.length)
      ctx.addIssue({ code: 'custom', message: 'field ids must be unique', path: ['fields'] });
    const kindIds = new Set(config.kinds.map((k) => k.id));
    if (kindIds.size !== config.kinds.length)
      ctx.addIssue({ code: 'custom', message: 'kind ids must be unique', path: ['kinds'] });
    config.kinds.forEach((k, i) =>
      k.requiredFields.forEach((f, j) => {
        if (!fieldIds.has(f))
          ctx.addIssue({ code: 'custom', message: `unknown field ${f}`, path: ['kinds', i, 'requiredFields', j] });
      }),
    );
  });
export type CaseKindsConfig = z.infer<typeof CaseKindsConfig>;

export const defaultKindsConfig = (): CaseKindsConfig => CaseKindsConfig.parse({});

export type UnknownKind = DomainProblem<'unknown_kind'>;

/** Looks a kind up by id (or by its Chinese or English label, as typed in chat). */
export function findKind(config: CaseKindsConfig, idOrLabel: string): Result<CaseKind, UnknownKind> {
  const needle = idOrLabel.trim().toLowerCase();
  const typedZh = idOrLabel.trim();
  const found = config.kinds.find(
    (k) =>
      k.id === needle || k.label.zh === typedZh || k.label.en.toLowerCase() === needle || k.aliases.includes(typedZh),
  );
  if (found) return ok(found);
  const known = config.kinds.map((k) => k.label.zh).join('、');
  // The typed text is echoed back to a chat: shortened here, escaped by the card renderer.
  const chars = [...idOrLabel.trim().replace(/\s+/g, ' ')];
  const typed = chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : chars.join('');
  return err({
    code: 'unknown_kind',
    message: bi(
      `未知的异常类型「${typed}」，可选：${known}`,
      `Unknown case kind "${typed}"; known: ${config.kinds.map((k) => k.id).join(', ')}`,
    ),
  });
}

/** Required fields of the kind that are still empty, in the kind's order. */
export function missingRequiredFields(
  kind: CaseKind,
  values: Readonly<Record<string, string | null | undefined>>,
): string[] {
  return kind.requiredFields.filter((f) => (values[f] ?? '').trim() === '');
}

export function fieldDefinition(config: CaseKindsConfig, fieldId: string): CaseFieldDefinition | undefined {
  return config.fields.find((f) => f.id === fieldId);
}
