import { bi, type Bilingual } from '../../shared/bilingual.js';

/**
 * Names of the platforms the templates list. A platform is data: any other key is stored and
 * reported as it is (its name is the key), and shown as 其他 in the Bitable select, whose options
 * the bot does not add.
 */
export const KNOWN_PLATFORMS: Readonly<Record<string, Bilingual>> = {
  wechat: bi('微信群', 'WeChat'),
  wecom: bi('企业微信', 'WeCom'),
  douyin: bi('抖音粉丝群', 'Douyin'),
  xiaohongshu: bi('小红书群', 'Xiaohongshu'),
  taobao: bi('淘宝/天猫群', 'Taobao/Tmall'),
  feishu: bi('飞书群', 'Feishu'),
  other: bi('其他', 'Other'),
};

export const platformName = (key: string): Bilingual => KNOWN_PLATFORMS[key] ?? bi(key, key);

/** The 平台 option name for a platform key (the template's options are the zh names). */
export const platformOption = (key: string): string => (KNOWN_PLATFORMS[key] ?? KNOWN_PLATFORMS.other!).zh;

/** A 平台 option name (or a key typed in) → the platform key. */
export function platformOfOption(name: string): string | undefined {
  const trimmed = name.trim();
  for (const [key, n] of Object.entries(KNOWN_PLATFORMS))
    if (n.zh === trimmed || key === trimmed.toLowerCase()) return key;
  return undefined;
}
