import { describe, expect, it } from 'vitest';
import { decodeChangedValues, decodeRecordChanges, RecordChangedEvent } from '../../src/bitable/record-changed.js';
import { RecordCodecError } from '../../src/bitable/codec-errors.js';
import { TableTemplate, type TemplateField } from '../../src/bitable/template-schema.js';
import { loadSample } from './sample-templates.js';

const table = TableTemplate.parse({
  key: 'changes',
  name: '变更',
  description: 'Fields named by the record-changed examples.',
  domain: 'shared',
  primaryField: 'title',
  fields: [
    { key: 'title', name: '标题', description: 'Text.', type: 1 },
    { key: 'count', name: '数量', description: 'Number.', type: 2 },
    { key: 'owner', name: '负责人', description: 'Person.', type: 11 },
    { key: 'due', name: '截止', description: 'Date.', type: 5 },
  ],
  views: [{ key: 'all', name: '全部', type: 'grid', description: 'Everything.' }],
});
const byKey = (key: string): TemplateField => table.fields.find((f) => f.key === key)!;

/** The ids provisioning would have stored for this table. */
const fieldsById = new Map([
  ['fld9Eabcef', byKey('count')],
  ['fldqaabcef', byKey('title')],
]);

describe('drive.file.bitable_record_changed_v1', () => {
  it('the official examples parse', () => {
    for (const name of [
      'drive.file.bitable_record_changed_v1.json',
      'drive.file.bitable_record_changed_v1.legacy_doc.json',
    ]) {
      expect(RecordChangedEvent.safeParse(loadSample<{ event: unknown }>(name).event).success, name).toBe(true);
    }
  });

  it('turns edits, additions and deletions into typed old and new values keyed by field key', () => {
    const event = RecordChangedEvent.parse(
      loadSample<{ event: unknown }>('drive.file.bitable_record_changed_v1.legacy_doc.json').event,
    );
    expect(decodeRecordChanges(event, fieldsById)).toStrictEqual([
      {
        recordId: 'rec9sabcef',
        action: 'record_edited',
        before: { values: { count: 123, title: '变更前的值' }, unknownFieldIds: [] },
        after: { values: { count: 666, title: '变更后的值' }, unknownFieldIds: [] },
      },
      {
        recordId: 'rec9sabcef',
        action: 'record_added',
        before: { values: {}, unknownFieldIds: [] },
        after: { values: { count: 666, title: '新增记录字段值' }, unknownFieldIds: [] },
      },
      {
        recordId: 'rec9sabcef',
        action: 'record_deleted',
        before: { values: { count: 666, title: '删除记录前字段值' }, unknownFieldIds: [] },
        after: { values: {}, unknownFieldIds: [] },
      },
    ]);
  });

  it('lists field ids it has no template field for instead of guessing', () => {
    const event = RecordChangedEvent.parse(
      loadSample<{ event: unknown }>('drive.file.bitable_record_changed_v1.json').event,
    );
    const [change] = decodeRecordChanges(event, {});
    expect(change?.after).toEqual({ values: {}, unknownFieldIds: ['fld9Eabcef'] });
  });

  it('names people from field_identity_value', () => {
    // Constructed from the official example's identity block; the example's own field_value is "666".
    const users = loadSample<{ event: { action_list: { after_value: { field_identity_value: unknown }[] }[] } }>(
      'drive.file.bitable_record_changed_v1.json',
    ).event.action_list[0]!.after_value[0]!.field_identity_value;
    const values = decodeChangedValues({ fldOwner: byKey('owner') }, [
      {
        field_id: 'fldOwner',
        field_value: '[{"id":"ou_84aad35d084aa403a838cf73ee18467"}]',
        field_identity_value: users as never,
      },
    ]);
    expect(values.values.owner).toEqual([
      expect.objectContaining({ id: 'ou_84aad35d084aa403a838cf73ee18467', name: '张敏', en_name: 'Zhangmin' }),
    ]);
  });

  it('reads an emptied cell as empty and reports undecodable values with the field', () => {
    expect(decodeChangedValues({ fldDue: byKey('due') }, [{ field_id: 'fldDue', field_value: '' }]).values).toEqual({
      due: null,
    });
    expect(() =>
      decodeChangedValues({ fldDue: byKey('due') }, [{ field_id: 'fldDue', field_value: '"soon"' }], 'tblX'),
    ).toThrow(RecordCodecError);
  });
});
