import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { encryptEvent, eventSignature } from '../../src/feishu/crypto.js';
import { openFeishuRequest, type Headers, type VerifyOptions } from '../../src/feishu/verify.js';
import { secrets } from '../helpers/app.js';
import { messageEvent, signed } from '../helpers/events.js';

const NOW = Date.parse('2026-11-23T02:00:00Z');
const withKey: VerifyOptions = {
  encryptKey: secrets.encryptKey,
  verificationToken: secrets.verificationToken,
  maxAgeSeconds: 8 * 3600,
  now: () => NOW,
};
const tokenOnly: VerifyOptions = { ...withKey, encryptKey: undefined };
const nothing: VerifyOptions = { ...withKey, encryptKey: undefined, verificationToken: undefined };

/** The decoder either opens the request or refuses it with AppError 400/401 — nothing else escapes. */
function outcome(raw: Buffer, headers: Headers, o: VerifyOptions): 'opened' | 400 | 401 {
  try {
    const body = openFeishuRequest(raw, headers, o);
    expect(typeof body).toBe('object');
    return 'opened';
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 401)) throw err;
    return err.status as 400 | 401;
  }
}

const headerValue = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\d{1,12}$/),
  fc.constant(String(NOW / 1000)),
  fc.array(fc.string(), { maxLength: 3 }),
);
const headersArb = fc.record(
  { 'x-lark-request-timestamp': headerValue, 'x-lark-request-nonce': headerValue, 'x-lark-signature': headerValue },
  { requiredKeys: [] },
) as fc.Arbitrary<Headers>;
const jsonish = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ encrypt: fc.oneof(fc.string(), fc.base64String(), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        type: fc.constantFrom('url_verification', 'event_callback'),
        token: fc.string(),
        challenge: fc.jsonValue(),
        uuid: fc.string(),
        event: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      { schema: fc.constant('2.0'), header: fc.dictionary(fc.string(), fc.jsonValue()), event: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.record({ open_message_id: fc.string(), action: fc.jsonValue(), token: fc.string() }).map((v) => JSON.stringify(v)),
  fc.string(),
);
const rawBody = fc.oneof(
  jsonish.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
);

describe('fuzzing the webhook decoder (openFeishuRequest)', () => {
  it('never throws anything but AppError 400/401, whatever the bytes and headers', () => {
    fc.assert(
      fc.property(rawBody, headersArb, fc.constantFrom(withKey, tokenOnly, nothing), (raw, headers, o) => {
        outcome(raw, headers, o);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses any decryptable plaintext that is not a JSON object, even correctly signed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .jsonValue()
            .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
            .map((v) => JSON.stringify(v)),
        ),
        (plain) => {
          const body = JSON.stringify({ encrypt: encryptEvent(plain, secrets.encryptKey) });
          const ts = String(NOW / 1000);
          const headers = {
            'x-lark-request-timestamp': ts,
            'x-lark-request-nonce': 'n',
            'x-lark-signature': eventSignature(ts, 'n', secrets.encryptKey, body),
          };
          let parsed: unknown;
          try {
            parsed = JSON.parse(plain);
          } catch {
            parsed = undefined;
          }
          const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
          const result = outcome(Buffer.from(body), headers, withKey);
          if (!isObject) expect(result).toBe(400);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never opens a signed request after any byte of it changed', () => {
    const event = messageEvent('help');
    event.header.create_time = String(NOW);
    const req = signed(event, { timestamp: NOW / 1000 });
    const original = Buffer.from(req.payload);
    expect(outcome(original, req.headers, withKey)).toBe('opened');
    fc.assert(
      fc.property(fc.nat(original.length - 1), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const tampered = Buffer.from(original);
        tampered[index] = tampered[index]! ^ flip;
        expect(outcome(tampered, req.headers, withKey)).not.toBe('opened');
      }),
      { numRuns: 500 },
    );
  });

  it('never opens a request whose signature headers were changed', () => {
    const req = signed(messageEvent('help'), { timestamp: NOW / 1000 });
    fc.assert(
      fc.property(
        fc.constantFrom('x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature'),
        fc.string({ minLength: 1 }),
        (name, value) => {
          fc.pre(value !== req.headers[name]);
          expect(outcome(Buffer.from(req.payload), { ...req.headers, [name]: value }, withKey)).not.toBe('opened');
        },
      ),
      { numRuns: 300 },
    );
  });
});
