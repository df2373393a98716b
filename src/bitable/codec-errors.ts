import { AppError } from '../core/errors.js';
import type { TemplateField } from './template-schema.js';

export interface FieldRef {
  key: string;
  /** Display name; undefined when the key is not in the template. */
  name: string | undefined;
  type: number | undefined;
}

export type CodecProblem = 'invalid_value' | 'read_only' | 'unknown_field' | 'undecodable';

/** A value that cannot cross the codec, naming the field, the value and the reason. */
export class FieldCodecError extends Error {
  override name = 'FieldCodecError';
  constructor(
    readonly problem: CodecProblem,
    readonly field: FieldRef,
    readonly value: unknown,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class FieldValueError extends FieldCodecError {
  override name = 'FieldValueError';
  constructor(field: TemplateField, value: unknown, reason: string) {
    super(
      'invalid_value',
      refOf(field),
      value,
      reason,
      `${label(field)} 的值无效 invalid value ${preview(value)}: ${reason}`,
    );
  }
}

export class ReadOnlyFieldError extends FieldCodecError {
  override name = 'ReadOnlyFieldError';
  constructor(field: TemplateField, value: unknown, kind: string) {
    const reason = `${kind} fields are computed by Feishu`;
    super('read_only', refOf(field), value, reason, `${label(field)} 只读，不能写入 is read-only: ${reason}`);
  }
}

export class UnknownFieldError extends FieldCodecError {
  override name = 'UnknownFieldError';
  constructor(table: string, key: string, value: unknown) {
    const reason = `table ${table} has no field with key "${key}"`;
    super(
      'unknown_field',
      { key, name: undefined, type: undefined },
      value,
      reason,
      `未知字段 unknown field: ${reason}`,
    );
  }
}

export class FieldDecodeError extends FieldCodecError {
  override name = 'FieldDecodeError';
  constructor(field: TemplateField, value: unknown, reason: string) {
    super(
      'undecodable',
      refOf(field),
      value,
      reason,
      `${label(field)} 的飞书值无法解析 cannot decode Feishu value ${preview(value)}: ${reason}`,
    );
  }
}

/**
 * Every field problem of one record at once, so a bad row is fixed in one pass. Writing bad values
 * is the caller's input (422 at an HTTP edge); unreadable Bitable data is ours to fix (internal).
 */
export class RecordCodecError extends AppError {
  override name = 'RecordCodecError';
  constructor(
    readonly table: string,
    readonly direction: 'encode' | 'decode',
    readonly issues: readonly FieldCodecError[],
  ) {
    const verb = direction === 'encode' ? '写入 encode' : '读取 decode';
    super(
      direction === 'encode' ? 'unprocessable' : 'internal',
      `${table} 记录${verb}失败 failed (${issues.length}):\n  - ${issues.map((i) => i.message).join('\n  - ')}`,
      {
        table,
        fields: issues.map((i) => ({ key: i.field.key, name: i.field.name, problem: i.problem, reason: i.reason })),
      },
    );
  }
}

/** Thrown inside a kind's reader or writer; the codec adds the field and value. */
export class CodecFailure extends Error {
  override name = 'CodecFailure';
}

export function fail(reason: string): never {
  throw new CodecFailure(reason);
}

function refOf(field: TemplateField): FieldRef {
  return { key: field.key, name: field.name, type: field.type };
}

function label(field: TemplateField): string {
  return `字段「${field.name}」(${field.key})`;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
