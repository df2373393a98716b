import type { SandboxCredentials } from './state/types.js';

/** What the wiring helpers read of a running sandbox (a SandboxHandle has it). */
interface SandboxAddress {
  url: string;
  consoleUrl: string;
  credentials: SandboxCredentials;
}

/** The Feishu settings that point the bot at this sandbox (same shape as config.ts FeishuConfig). */
export function sandboxFeishuConfig(handle: Pick<SandboxAddress, 'url' | 'credentials'>) {
  return {
    appId: handle.credentials.appId,
    appSecret: handle.credentials.appSecret,
    verificationToken: handle.credentials.verificationToken,
    encryptKey: handle.credentials.encryptKey,
    baseUrl: handle.url,
    eventMode: 'webhook' as const,
  };
}

/** The one short start-up block (issue 3 §5). */
export function sandboxBanner(
  handle: Pick<SandboxAddress, 'url' | 'consoleUrl'>,
  extra: { dashboardUrl?: string } = {},
): string {
  const rule = '─'.repeat(64);
  return [
    rule,
    ' 🧪 飞书沙箱模式 Feishu SANDBOX — offline, no Feishu account needed',
    `    控制台 Console    ${handle.consoleUrl}`,
    `    开放接口 Open API ${handle.url}  (LARK_BASE_URL)`,
    ...(extra.dashboardUrl ? [`    仪表盘 Dashboard  ${extra.dashboardUrl}`] : []),
    '    设置 LARK_APP_ID/LARK_APP_SECRET 即连接真实飞书 · set LARK_* for real Feishu',
    rule,
  ].join('\n');
}
