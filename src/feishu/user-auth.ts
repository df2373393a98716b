import * as lark from '@larksuiteoapi/node-sdk';
import { AppError } from '../core/errors.js';
import type { FeishuClient } from './client.js';

export interface FeishuUser {
  openId: string;
  name: string;
}

interface TokenResponse {
  code?: number | string;
  access_token?: string;
  error?: string;
  error_description?: string;
}

interface UserInfoResponse {
  code?: number;
  msg?: string;
  data?: { open_id?: string; name?: string };
}

/**
 * Workbench login (FEISHU.md §f): the page gets a one-time code from tt.requestAccess (or the
 * OAuth redirect), we exchange it at /open-apis/authen/v2/oauth/token and ask who it is.
 */
export async function userFromLoginCode(
  client: FeishuClient,
  credentials: { appId: string; appSecret: string },
  code: string,
): Promise<FeishuUser> {
  let token: TokenResponse;
  try {
    token = (await client.sdk.request({
      method: 'POST',
      url: '/open-apis/authen/v2/oauth/token',
      data: {
        grant_type: 'authorization_code',
        client_id: credentials.appId,
        client_secret: credentials.appSecret,
        code,
      },
    })) as TokenResponse;
  } catch (err) {
    const body = (err as { response?: { data?: TokenResponse } }).response?.data;
    throw new AppError(
      'unauthorized',
      `登录码无效或已过期，请重新打开 · The login code was refused (${body?.error ?? 'error'})`,
    );
  }
  if (!token.access_token) throw new AppError('unauthorized', '登录失败 · Login failed');
  let info: UserInfoResponse;
  try {
    info = (await client.sdk.request(
      { method: 'GET', url: '/open-apis/authen/v1/user_info' },
      lark.withUserAccessToken(token.access_token),
    )) as UserInfoResponse;
  } catch {
    throw new AppError('unauthorized', '无法获取用户信息 · Could not read who you are');
  }
  if (!info.data?.open_id) throw new AppError('unauthorized', '无法获取用户信息 · Could not read who you are');
  return { openId: info.data.open_id, name: info.data.name ?? '' };
}
