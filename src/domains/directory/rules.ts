import type { SettingSource, SourceInput } from '../../core/settings.js';

export { minutesOf, ruleProblem, ruleRows, type RuleRow } from './sync/settings-values.js';
export { teamKeyOf } from './sync/people.js';
export { SETTINGS_TABLE } from './sync/rows.js';

/**
 * A setting defined by rows of 规则配置, the rules table every workflow shares: the directory hands
 * the table's rows to `map`, which picks its own with `ruleRows(input, workflow, type)`.
 */
export function fromRules<T>(map: (input: SourceInput) => T | undefined): SettingSource<T> {
  return { table: 'settings', map };
}
