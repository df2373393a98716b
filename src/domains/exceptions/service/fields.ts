import { ValidationError } from '../../../core/errors.js';
import type { Bilingual } from '../../shared/bilingual.js';
import { fieldDefinition, type CaseKind, type CaseKindsConfig } from '../logic/kinds.js';
import { parseTrackingNumber } from '../logic/tracking-numbers.js';

export const line = (b: Bilingual): string => `${b.zh} · ${b.en}`;

/**
 * Fields the case waits on the warehouse for: the kind's required fields that can be typed
 * (numbers, text). Attachments (photos, videos) are collected in Bitable and never hold a case.
 */
export function awaitedFields(kind: CaseKind, config: CaseKindsConfig): string[] {
  return kind.requiredFields.filter((f) => fieldDefinition(config, f)?.format !== 'attachment');
}

export function missingAwaited(
  kind: CaseKind,
  config: CaseKindsConfig,
  values: Readonly<Record<string, string>>,
): string[] {
  return awaitedFields(kind, config).filter((f) => (values[f] ?? '').trim() === '');
}

/**
 * Validates typed field values: the field must be defined, tracking numbers must parse (and are
 * stored normalised). Empty values are dropped. Throws ValidationError naming the first problem.
 */
export function validateFields(
  config: CaseKindsConfig,
  values: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, raw] of Object.entries(values)) {
    const value = (raw ?? '').trim();
    if (value === '') continue;
    const def = fieldDefinition(config, id);
    if (!def) throw new ValidationError(`未知字段「${id}」 · Unknown field "${id}"`, { field: id });
    if (def.format === 'tracking_number') {
      const parsed = parseTrackingNumber(value);
      if (!parsed.ok) throw new ValidationError(line(parsed.error.message), { field: id, code: parsed.error.code });
      out[id] = parsed.value.number;
    } else {
      out[id] = value;
    }
  }
  return out;
}

export function fieldLabel(config: CaseKindsConfig, id: string): Bilingual {
  return fieldDefinition(config, id)?.label ?? { zh: id, en: id };
}
