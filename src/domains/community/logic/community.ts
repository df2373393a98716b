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
  team: Text(64).nullable().optional(),
});
export type CommunityInput = z.infer<typeof CommunityInput>;
