import type { DecodedRecord } from '../bitable/codec.js';
import type { FieldValue } from '../bitable/codec-values.js';

/**
 * Who owns a Bitable field. people: the workflow takes their edits (and refuses bad ones);
 * bot: computed or workflow-controlled (record number, state, clocks, totals) — a person's edit
 * there is always put back.
 */
export type FieldOwner = 'people' | 'bot';

/** One field a person changed, decoded by the template (`after` is what they typed). */
export interface EditedField {
  key: string;
  /** The column's name in Bitable now (for messages). */
  name: string;
  before: FieldValue | null;
  after: FieldValue | null;
}

/** A person's edit of people-owned fields of one of the workflow's rows. */
export interface TableEdit<T> {
  entity: T;
  recordNo: string;
  recordId: string;
  fields: EditedField[];
  operatorOpenId: string | undefined;
  at: Date;
  /** Stable across redeliveries: the idempotency key of anything the edit causes. */
  key: string;
}

/** A field the workflow would not take, and why (shown to the editor; Chinese first, English beside). */
export interface Refusal {
  key: string;
  reason: string;
}

/** A row a person added that carries no record number yet. */
export interface AddedRow {
  recordId: string;
  values: DecodedRecord;
  operatorOpenId: string | undefined;
  at: Date;
  key: string;
}

/** Finds a record of another template table by a field's value (e.g. a team by its code) for link fields. */
export type LinkResolver = (tableKey: string, fieldKey: string, value: string) => Promise<string | undefined>;

/**
 * A template table declared once by the workflow that owns its rows. The kit writes rows
 * (create with the record number, then only the owned fields that changed), decodes people's
 * edits, applies ownership, writes refused values back and tells the editor.
 */
export interface TableSpec<T> {
  /** Every field of the template, by key. Checked when the table is declared. */
  owner: Readonly<Record<string, FieldOwner>>;
  /**
   * The record-number field: the template's primary field, bot-owned, e.g. `case_no`. Leave it
   * out for a read-mostly table whose rows people make (people, teams, rules): its rows are then
   * known by record id (`load(recordId)`, `recordIdOf`).
   */
  recordNo?: string;
  /** The entity's record number, e.g. `EX000048` (without `recordNo`: a stable business key, e.g. a team code). */
  numberOf(entity: T): string;
  /** The entity by record number (without `recordNo`: by record id), or undefined when the workflow has none. */
  load(recordNo: string): Promise<T | undefined>;
  /**
   * The workflow's value of every field it holds, by key, as the codec writes them (option names,
   * open_ids, Dates, yuan…). Leave a field out when the workflow does not hold it. The kit never
   * writes an empty value over a person's value in a people-owned field.
   */
  toRow(entity: T, links: LinkResolver): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** A record id the workflow already knows for the entity (e.g. the row a person created). */
  recordIdOf?(entity: T): string | null | undefined;
  /**
   * A person changed people-owned fields: take them, or return (or throw an AppError for all)
   * the refusals. Refused fields are written back to the workflow's value.
   */
  onEdit?(edit: TableEdit<T>): Promise<Refusal[] | void>;
  /**
   * A person added a row without a record number: make it an entity, leave it waiting (undefined: not
   * complete yet), or refuse it by throwing an AppError. A refused row is never deleted and nothing typed in it
   * is changed: the kit writes the reason into `refusalField` and DMs the person who added (or last edited) it
   * once per reason; a later edit comes back here, and once taken the reason is emptied.
   */
  onAdd?(row: AddedRow): Promise<T | undefined>;
  /** A bot-owned text field where the kit shows why `onAdd` refused a row (emptied once the row is taken). */
  refusalField?: string;
  /**
   * After the kit wrote the entity's row (first time or again). `row.link()` asks Feishu once for a
   * link people can open to the row (undefined when Feishu gives none or the call fails: a missing
   * link never fails the write); call it only when the workflow has no link stored yet.
   */
  onWritten?(entity: T, written: { recordId: string; created: boolean }, row: RowLink): Promise<void>;
  /** Where the workflow's rows live for people (for the editor's DM), default the template's name. */
  label?: string;
}

export interface RowLink {
  link(): Promise<string | undefined>;
}

/** A declared table: what the workflow calls to put an entity into Bitable. */
export interface TableSeam<T> {
  readonly key: string;
  /**
   * Writes the entity's row: created with its record number the first time (client_token by
   * record number, so racing writers make one row), afterwards only the fields that changed.
   * Undefined when Bitable is not provisioned yet. `only`: an existing row gets just these fields (when changed),
   * e.g. the bot's totals after a payment, so a person's edit still on its way is never overwritten.
   */
  write(entity: T, options?: { only?: readonly string[] }): Promise<{ recordId: string; created: boolean } | undefined>;
  /** Rewrites the bot-owned fields of every row that differs from the workflow (reconcile does this too). */
  repair(): Promise<number>;
}
