import type { FieldValue } from '../../bitable/codec-values.js';
import { ValidationError } from '../../core/errors.js';
import type { Db } from '../../db/client.js';
import type { FieldOwner, Refusal, TableSpec } from '../../mirror/index.js';
import { KNOWN_PLATFORMS, platformOfOption, platformOption } from './logic/platforms.js';
import { repo, type CommunityRow } from './repository.js';
import {
  CommunityInput,
  takenCodeReason,
  unknownTeamReason,
  unknownTeams,
  upsertCommunities,
} from './service/communities.js';

/**
 * 社群 (communities): rows people make and keep; the workflow reads them and writes the ones it creates (API, Feishu
 * groups, demo).
 */
export const COMMUNITY_TABLE = 'communities';

// Everything a person types is theirs; the link to 每日指标 and Feishu's own times are not.
export const COMMUNITY_OWNERS: Record<string, FieldOwner> = {
  community_name: 'people',
  code: 'people',
  platform: 'people',
  community_type: 'people',
  store: 'people',
  owner: 'people',
  team: 'people',
  assistants: 'people',
  launched_on: 'people',
  state: 'people',
  member_cap: 'people',
  invite_link: 'people',
  tags: 'people',
  note: 'people',
  // Why a row people added was not taken (the kit writes it; empty once taken).
  bot_status: 'bot',
  metrics: 'bot',
  created_at: 'bot',
  updated_at: 'bot',
};

const TYPE_OPTIONS: Record<string, string> = {
  member: '会员群',
  deals: '福利群',
  store: '门店群',
  koc: '达人/KOC群',
  vip: 'VIP群',
};
const TAG_OPTIONS = ['新客', '复购', '高价值', '区域'];
const STATE_OPTIONS: Record<CommunityRow['state'], string> = { active: '运营中', paused: '暂停', dissolved: '已解散' };
const keyOf = (options: Record<string, string>, name: unknown): string | undefined =>
  Object.entries(options).find(([, n]) => n === name)?.[0];

/** A community as its row (codec input form): only what the workflow holds. */
export function communityRow(c: CommunityRow): Record<string, unknown> {
  return {
    community_name: c.name,
    code: c.code,
    platform: platformOption(c.platform),
    community_type: c.kind ? (TYPE_OPTIONS[c.kind] ?? null) : null,
    store: c.storeCode,
    owner: c.operatorOpenId ? [c.operatorOpenId] : [],
    team: c.teamKey,
    // Tags outside the select's options stay in Postgres only (the bot adds no options).
    tags: c.tags.filter((t) => TAG_OPTIONS.includes(t)),
    state: STATE_OPTIONS[c.state],
  };
}

const text = (v: FieldValue | null | undefined): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;
const firstUser = (v: FieldValue | null | undefined): string | undefined =>
  Array.isArray(v) && v[0] && typeof v[0] === 'object' && 'id' in v[0] ? String(v[0].id) : undefined;

const PLATFORM_CHOICES = Object.values(KNOWN_PLATFORMS)
  .map((p) => p.zh)
  .join('、');
/** Why a 平台 cell is refused: a name that is no option (e.g. 抖音 for 抖音粉丝群) and no platform key. */
export const unknownPlatformReason = (typed: string): string =>
  `平台「${typed}」不是可选项，请选：${PLATFORM_CHOICES} · "${typed}" is not a platform option: pick one of these`;

/**
 * The platform a 平台 cell says. A platform typed as a key (e.g. kuaishou) is taken as it is (platforms are data). The
 * option the bot shows for the current platform keeps it: a community on an unlisted platform shows 其他, and an edit
 * of another cell of its row must not turn kuaishou into other.
 */
function platformOf(platformText: string | undefined, current?: CommunityRow): string {
  if (!platformText) return current?.platform ?? 'other';
  if (current && platformText === platformOption(current.platform)) return current.platform;
  return platformOfOption(platformText) ?? platformText;
}

/** Row values → a community input. */
function inputOf(values: Record<string, FieldValue | null | undefined>, current?: CommunityRow) {
  return CommunityInput.safeParse({
    code: text(values.code),
    name: text(values.community_name),
    platform: platformOf(text(values.platform), current),
    kind: keyOf(TYPE_OPTIONS, values.community_type) ?? undefined,
    operatorOpenId: firstUser(values.owner),
    storeCode: text(values.store),
    tags: Array.isArray(values.tags) ? values.tags.filter((t): t is string => typeof t === 'string') : [],
    state: keyOf(STATE_OPTIONS, values.state) ?? 'active',
    feishuChatId: current?.feishuChatId ?? undefined,
    // An emptied 团队 cell: no team (the dashboard's team leads no longer see it).
    team: typeof values.team === 'string' && values.team.trim() ? values.team : null,
  });
}

/** An issue of inputOf as a person reads it: a 平台 that is neither an option nor a key names the options. */
function reasonOf(issue: { path: readonly PropertyKey[]; message: string }, values: Record<string, unknown>): string {
  const platform = text(values.platform as FieldValue | undefined);
  return issue.path[0] === 'platform' && platform ? unknownPlatformReason(platform) : issue.message;
}

const FIELD_OF_INPUT: Record<string, string> = {
  code: 'code',
  name: 'community_name',
  platform: 'platform',
  operatorOpenId: 'owner',
  storeCode: 'store',
  tags: 'tags',
  state: 'state',
  kind: 'community_type',
  team: 'team',
};

/** The declaration of 社群: people add and edit communities there; a bad value is refused and put back. */
export function communityTableSpec(db: Db, options: { withEdits: boolean }): TableSpec<CommunityRow> {
  return {
    owner: COMMUNITY_OWNERS,
    label: '社群',
    refusalField: 'bot_status',
    numberOf: (c) => c.code,
    load: async (recordId) => repo.byRecordId(db, recordId),
    recordIdOf: (c) => c.bitableRecordId,
    toRow: (c) => communityRow(c),
    async onWritten(c, written) {
      if (c.bitableRecordId !== written.recordId) await repo.setRecordId(db, c.id, written.recordId);
    },
    ...(options.withEdits
      ? {
          async onEdit(edit) {
            const values: Record<string, FieldValue | null> = { ...communityRow(edit.entity) } as Record<
              string,
              FieldValue | null
            >;
            values.owner = edit.entity.operatorOpenId ? [{ id: edit.entity.operatorOpenId }] : [];
            values.tags = edit.entity.tags;
            for (const f of edit.fields) values[f.key] = f.after;
            const parsed = inputOf(values, edit.entity);
            if (!parsed.success) {
              return parsed.error.issues.map((i): Refusal => ({
                key: FIELD_OF_INPUT[String(i.path[0])] ?? edit.fields[0]!.key,
                reason: reasonOf(i, values),
              }));
            }
            if ((await unknownTeams({ db }, [parsed.data])).length > 0)
              return [{ key: 'team', reason: unknownTeamReason(parsed.data.team!) }];
            if (parsed.data.code !== edit.entity.code && (await repo.hasMetrics(db, edit.entity.id))) {
              return [
                {
                  key: 'code',
                  reason: '社群编码已被指标数据使用，不能修改 · The code is used by metric rows and cannot change',
                },
              ];
            }
            const [taken] = parsed.data.code !== edit.entity.code ? await repo.byCodes(db, [parsed.data.code]) : [];
            if (taken) return [{ key: 'code', reason: takenCodeReason(parsed.data.code, taken.name) }];
            await repo.update(db, edit.entity.id, parsed.data, edit.at);
          },
          async onAdd(row) {
            const parsed = inputOf(row.values);
            if (!parsed.success) {
              // Not a community yet: it needs a name and a code (the row waits until both are there).
              if (!text(row.values.code) || !text(row.values.community_name)) return undefined;
              // Both there but a value is wrong (a 平台 that is no option, a malformed code): refused visibly.
              throw new ValidationError(
                [...new Set(parsed.error.issues.map((i) => reasonOf(i, row.values)))].join('；'),
              );
            }
            const [taken] = await repo.byCodes(db, [parsed.data.code]);
            // The community's row not yet remembered (the bot's own write and its event crossed): not a duplicate.
            if (taken && !taken.bitableRecordId) return undefined;
            // Another community's code: refused visibly (机器人提示 and a DM), the row kept as typed.
            if (taken) throw new ValidationError(takenCodeReason(parsed.data.code, taken.name));
            // A team that is not in 团队 is refused: the kit shows why in 机器人提示 and tells the person; the row
            // stays as typed and comes back here when edited.
            if ((await unknownTeams({ db }, [parsed.data])).length > 0)
              throw new ValidationError(unknownTeamReason(parsed.data.team!));
            const [made] = await upsertCommunities(db, [parsed.data], row.at, { bitableRecordId: row.recordId });
            return made?.community;
          },
        }
      : {}),
  };
}
