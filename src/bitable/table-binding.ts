import { decodeRecord, encodeRecord, type EncodeOptions, type FeishuFields } from './codec.js';
import type { DecodedValue, EncodeInput, FeishuWriteValue } from './codec-values.js';
import { kindOf, type FieldKind, type WritableKind } from './field-kinds.js';
import { TemplateError } from './load-templates.js';
import type { TableTemplate } from './template-schema.js';

/** The fields a domain uses, by key, with the kind it expects each to be. */
export type KindMap = Readonly<Record<string, FieldKind>>;

export type BoundRecord<M extends KindMap> = { -readonly [K in keyof M]: DecodedValue<M[K]> };

export type BoundInput<M extends KindMap> = {
  -readonly [K in keyof M as M[K] extends WritableKind ? K : never]?: M[K] extends WritableKind ? EncodeInput<M[K]> : never;
};

export interface TableBinding<M extends KindMap> {
  readonly template: TableTemplate;
  /** A record's `fields` → the bound fields, typed. */
  decode(rawFields: FeishuFields): BoundRecord<M>;
  /** Bound writable fields → `fields` for batch_create / batch_update. */
  encode(values: BoundInput<M>, options?: EncodeOptions): Record<string, FeishuWriteValue>;
  /** The display name the record APIs use for a key (for search filters and sorts). */
  fieldName(key: keyof M & string): string;
}

/**
 * Give a template static types: `bindTable(t, { order_no: 'text', amount_at_risk: 'currency' })`.
 * Checked once at start-up, so a template edit that changes a kind fails loudly, not at the first row.
 *
 * @example
 * const exceptions = bindTable(templates.table('exceptions'), { order_no: 'text', owner: 'user' });
 * const row = exceptions.decode(item.fields); // row.owner: UserRef[]
 */
export function bindTable<const M extends KindMap>(template: TableTemplate, kinds: M): TableBinding<M> {
  const byKey = new Map(template.fields.map((f) => [f.key, f]));
  const problems: string[] = [];
  for (const [key, kind] of Object.entries(kinds)) {
    const field = byKey.get(key);
    if (!field) problems.push(`no field "${key}"`);
    else if (kindOf(field) !== kind) problems.push(`field "${key}" is ${kindOf(field)}, not ${kind}`);
  }
  if (problems.length > 0) throw new TemplateError(template.key, problems);
  const keys = Object.keys(kinds);

  return {
    template,
    decode(rawFields) {
      const all = decodeRecord(template, rawFields);
      // Safe: every key was checked against the template above, and decodeRecord fills every template key.
      return Object.fromEntries(keys.map((k) => [k, all[k]])) as BoundRecord<M>;
    },
    encode(values, options) {
      const unbound = Object.keys(values).filter((k) => !(k in kinds));
      if (unbound.length > 0) throw new TemplateError(template.key, unbound.map((k) => `field "${k}" is not bound`));
      return encodeRecord(template, values as Record<string, unknown>, options);
    },
    fieldName(key) {
      const field = byKey.get(key);
      if (!field) throw new TemplateError(template.key, [`no field "${key}"`]);
      return field.name;
    },
  };
}
