import { z } from 'zod';
import { CommunityCode, COMMUNITY_STATES, PlatformKey } from './metrics.js';

const Text = (max: number) => z.string().trim().min(1).max(max);

/** A community as the API, the seed and the Bitable sync describe it (validated once, here). */
export const CommunityInput = z.object({
  code: CommunityCode,
  name: Text(100),
  platform: PlatformKey,
  kind: Text(32).optional(),
  operatorOpenId: Text(64).optional(),
  storeCode: Text(64).optional(),
  tags: z.array(Text(32)).max(20).default([]),
  state: z.enum(COMMUNITY_STATES).default('active'),
  feishuChatId: Text(64).optional(),
  /** The directory team (团队编码): its leads see the community. Left out: unchanged; null: no team. */
  team: z
    .string()
    .trim()
    .min(1, '团队编码不能为空 · The team code is empty')
    .max(
      64,
      '团队编码最多 64 个字符（填 团队 表里的团队编码） · A team code has at most 64 characters (the 团队编码 in 团队)',
    )
    .nullable()
    .optional(),
});
export type CommunityInput = z.infer<typeof CommunityInput>;
