import type { Setting, SettingOptions, SettingsSnapshot } from '../../../core/settings.js';
import { AlertPolicy } from '../logic/alert-policy.js';
import { z } from 'zod';

/** Where settings are declared: `bot` in a module, or a SettingsStore bound to the module (tests, tools). */
export interface SettingsHost {
  settings<S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>): Setting<z.infer<S>>;
  settingsStore: { snapshot(): Promise<SettingsSnapshot> };
}

/** Where the digest and platform notes go: the operators' group chat (setting; empty = each operator by DM only). */
export const Reporting = z.object({ digestChatId: z.string().trim().min(1).nullable().default(null) });
export type Reporting = z.infer<typeof Reporting>;

/** Every rule of the community workflow leads may change (stored settings; defaults in the schemas). */
export function declareCommunitySettings(bot: SettingsHost) {
  return {
    snapshot: () => bot.settingsStore.snapshot(),
    alerts: bot.settings('community.alerts', AlertPolicy),
    reporting: bot.settings('community.reporting', Reporting),
  };
}

export type CommunitySettings = ReturnType<typeof declareCommunitySettings>;
