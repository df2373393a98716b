import { afterAll, expect } from 'vitest';
import { LogCapture, secrets } from './helpers/app.js';

// Every test file: no log line of any app built in it may carry a secret or an access token.
afterAll(() => {
  const forbidden = [secrets.appSecret, secrets.encryptKey, secrets.verificationToken, 't-test-tenant-token', 't-old', 't-new'];
  for (const capture of LogCapture.all) {
    for (const line of capture.lines) {
      for (const secret of forbidden) {
        if (line.includes(secret)) expect.fail(`a log line contains a secret (${secret.slice(0, 6)}…): ${line.slice(0, 300)}`);
      }
    }
  }
});
