import { createRequire } from 'node:module';
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

/** A URL without its query string: tokens passed as `?access_token=` never reach a log line. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : `${url.slice(0, cut)}?[redacted]`;
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: {
      // Any `url` field, wherever it is logged from, loses its query string.
      log: (object) => (typeof object.url === 'string' ? { ...object, url: withoutQuery(object.url) } : object),
    },
    base: { service: 'feishu-ops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  };
}

/**
 * JSON lines by default (what log collectors read). `pretty` (development at a terminal): one
 * readable line per entry through pino-pretty — a dev dependency, so where it is not installed
 * (a production image) the logger stays JSON rather than failing.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: { pretty?: boolean } = {},
): Logger {
  if (destination) return pino(loggerOptions(level), destination);
  if (options.pretty && prettyInstalled()) {
    const transport = pino.transport({
      target: 'pino-pretty',
      options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' },
    });
    return pino(loggerOptions(level), transport);
  }
  return pino(loggerOptions(level));
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
