import { afterAll, expect } from 'vitest';
import { LogCapture } from './helpers/app.js';
import { secretIn } from './helpers/secrets.js';

// Every test file: no log line of any app, sandbox or tool built in it may carry a secret or an
// access token — the real values its tests used (test/helpers/secrets.ts) and the shapes of
// tokens made at run time. Test apps log at debug, so every line is looked at.
afterAll(() => {
  for (const capture of LogCapture.all) {
    for (const line of capture.lines) {
      const found = secretIn(line);
      if (found) expect.fail(`a log line contains ${found}: ${line.slice(0, 120).replace(/[0-9a-f]{12,}/gi, '…')}`);
    }
  }
});
