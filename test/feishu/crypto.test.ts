import { readFileSync } from 'node:fs';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptEvent, encryptEvent, eventSignature, legacyCardSignature } from '../../src/feishu/crypto.js';

const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/feishu-samples/${name}`, import.meta.url), 'utf8'));

describe('event encryption', () => {
  it('decrypts the official documentation vector', () => {
    const v = sample('encrypt.doc_vector.json');
    expect(decryptEvent(v.encrypt, v.encrypt_key)).toBe('hello world');
  });

  it('decrypts the official SDK challenge vector', () => {
    const v = sample('url_verification.encrypted.sdk_test.json');
    expect(JSON.parse(decryptEvent(v.request_body.encrypt, v.encrypt_key))).toMatchObject({
      challenge: '5634b122-c042-4634-bc7f-b07a3c3e77ad',
      type: 'url_verification',
    });
  });

  it('is wire-compatible with the SDK cipher in both directions', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (key, text) => {
        const ours = encryptEvent(text, key);
        expect(new AESCipher(key).decrypt(ours)).toBe(text);
        expect(decryptEvent(ours, key)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a ciphertext of the wrong length or key', () => {
    expect(() => decryptEvent('c2hvcnQ=', 'k')).toThrow();
    expect(() => decryptEvent(encryptEvent('{"a":1}', 'right'), 'wrong')).toThrow();
  });
});

describe('signatures', () => {
  it('hashes timestamp + nonce + key + the raw body with SHA-256', () => {
    // Computed independently: printf '%s' '1700000000nonce-1key{"encrypt":"abc"}' | sha256sum
    expect(eventSignature('1700000000', 'nonce-1', 'key', '{"encrypt":"abc"}')).toBe(
      '84703123cdacf2a3988743fd7a505256a548d83d87d9e82f2c560645a1f4b57e',
    );
    expect(eventSignature('1700000000', 'nonce-1', 'key', Buffer.from('{"encrypt":"abc"}'))).toBe(
      '84703123cdacf2a3988743fd7a505256a548d83d87d9e82f2c560645a1f4b57e',
    );
    expect(eventSignature('1', 'n', 'k', '{ "a": 1 }')).not.toBe(eventSignature('1', 'n', 'k', '{"a":1}'));
  });

  it('uses SHA-1 with the verification token for legacy card callbacks', () => {
    // printf '%s' '1nt' 'b' | sha1sum
    expect(legacyCardSignature('1', 'n', 't', 'b')).toBe('291f6c1b9704775ce9f88220ea5150b7897c4396');
  });
});
