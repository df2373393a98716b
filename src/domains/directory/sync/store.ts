import { and, eq, notInArray } from 'drizzle-orm';
import type { SettingsStore } from '../../../core/settings.js';
import type { Db } from '../../../db/client.js';
import { directoryPeople, directoryTeams } from '../schema.js';
import type { Directory, PersonInput, TeamInput } from '../service.js';

/** `updated_by` of a setting written by the sync: only such settings are reverted when their rows go. */
export const BITABLE = 'bitable';

/**
 * Upserts the people Bitable lists and takes work away from those synced earlier whose rows are
 * gone. Seeded people (source null) are never touched, and an empty table changes nothing, so a
 * fresh or half-loaded table cannot empty the directory.
 */
export async function savePeople(
  db: Db,
  directory: Directory,
  people: readonly PersonInput[],
): Promise<{ upserted: number; deactivated: number }> {
  if (people.length === 0) return { upserted: 0, deactivated: 0 };
  await directory.upsertPeople([...people]);
  const gone = await db
    .update(directoryPeople)
    .set({ active: false })
    .where(
      and(
        eq(directoryPeople.source, BITABLE),
        eq(directoryPeople.active, true),
        notInArray(
          directoryPeople.openId,
          people.map((p) => p.openId),
        ),
      ),
    )
    .returning({ openId: directoryPeople.openId });
  return { upserted: people.length, deactivated: gone.length };
}

/** The same for teams: a team synced earlier whose row is gone stops getting new work. */
export async function saveTeams(
  db: Db,
  directory: Directory,
  teams: readonly TeamInput[],
): Promise<{ upserted: number; deactivated: number }> {
  if (teams.length === 0) return { upserted: 0, deactivated: 0 };
  await directory.upsertTeams([...teams]);
  const gone = await db
    .update(directoryTeams)
    .set({ active: false })
    .where(
      and(
        eq(directoryTeams.source, BITABLE),
        eq(directoryTeams.active, true),
        notInArray(
          directoryTeams.key,
          teams.map((t) => t.key),
        ),
      ),
    )
    .returning({ key: directoryTeams.key });
  return { upserted: teams.length, deactivated: gone.length };
}

export type SettingOutcome = 'saved' | 'unchanged' | 'reverted' | 'kept';

/**
 * Writes a setting the table defines (only when it differs, so re-syncing is quiet). When the
 * table defines none, a value the sync wrote earlier is removed (the built-in defaults return);
 * a value set some other way is kept.
 */
export async function saveSetting(settings: SettingsStore, key: string, value: unknown): Promise<SettingOutcome> {
  if (value === undefined) return (await settings.remove(key, BITABLE)) ? 'reverted' : 'kept';
  return settings.save(key, value, BITABLE);
}

/** The raw stored value of a setting (to keep keys the sync does not own, e.g. weekly hours). */
export async function rawSetting(settings: SettingsStore, key: string): Promise<Record<string, unknown>> {
  const value = (await settings.snapshot()).raw(key)?.value;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
