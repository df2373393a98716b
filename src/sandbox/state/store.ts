import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SandboxState } from './types.js';

/** What changed, for the console's live stream. */
export interface StateChange {
  kind: 'message' | 'chat' | 'bitable' | 'delivery' | 'faults';
  chatId?: string;
  appToken?: string;
  tableId?: string;
}

// Only the sandbox writes this file; the check guards against a hand-edited or foreign file,
// the inner documents are trusted as written.
const StateFile = z.looseObject({
  version: z.literal(1),
  credentials: z.object({
    appId: z.string().regex(/^cli_[0-9a-f]{16}$/),
    appSecret: z.string().min(1),
    encryptKey: z.string().min(1),
    verificationToken: z.string().min(1),
  }),
  users: z.array(z.looseObject({ open_id: z.string() })),
  chats: z.array(z.looseObject({ chat_id: z.string() })),
  messages: z.array(z.looseObject({ message_id: z.string() })),
  apps: z.record(z.string(), z.looseObject({ app_token: z.string() })),
});

export function stateFilePath(dataDir: string): string {
  return join(dataDir, 'sandbox', 'state.json');
}

export async function readStateFile(dataDir: string): Promise<SandboxState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFilePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = StateFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`sandbox state file is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data as unknown as SandboxState;
}

/** Writes to a temp file then renames it over the old one, so a crash never leaves half a file. */
export async function writeStateFile(dataDir: string, state: SandboxState): Promise<void> {
  const file = stateFilePath(dataDir);
  await mkdir(join(dataDir, 'sandbox'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), 'utf8');
  await rename(tmp, file);
}

/** In-memory state with a debounced, atomic save and a change feed. */
export class SandboxStore {
  readonly changes = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly data: SandboxState,
    private readonly dataDir: string,
    private readonly debounceMs = 200,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.changes.setMaxListeners(100);
  }

  /** Call after every mutation. */
  touch(change?: StateChange): void {
    if (change) this.changes.emit('change', change);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
  }

  private save(): Promise<void> {
    this.saving = this.saving
      .then(() => writeStateFile(this.dataDir, this.data))
      .catch((err: unknown) => this.onError(err));
    return this.saving;
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.save();
  }
}
