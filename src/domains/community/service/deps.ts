import type { CardRenderer } from '../../../core/cards/render.js';
import type { Logger } from '../../../core/logger.js';
import type { Database } from '../../../db/client.js';
import type { Deps } from '../../../deps.js';
import type { CommunityRow } from '../repository.js';
import type { CommunitySettings } from '../settings/index.js';

export interface CommunityDeps {
  database: Database;
  timeZone: string;
  settings: CommunitySettings;
  feishu: Deps['feishu'];
  cards: CardRenderer;
  log: Logger;
  /** After communities change (the Bitable row follows). */
  onCommunityChanged?: (c: CommunityRow) => Promise<void>;
}
