import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Every place a secret can sit in a logged object; pino replaces the value before it is written.
export const redactPaths = [
  'appSecret',
  'app_secret',
  'encryptKey',
  'encrypt_key',
  'verificationToken',
  'token',
  'tenant_access_token',
  'access_token',
  'refresh_token',
  'authorization',
  'password',
  '*.appSecret',
  '*.app_secret',
  '*.encryptKey',
  '*.verificationToken',
  '*.token',
  '*.tenant_access_token',
  '*.access_token',
  '*.authorization',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-lark-signature"]',
  'headers.authorization',
  'config.headers.Authorization',
  'err.config.headers.Authorization',
  'err.config.data',
  'err.response.config',
  'err.request',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'feishu-ops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
