import { and, arrayContains, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { directoryPeople, directoryTeams } from './schema.js';

export type Person = typeof directoryPeople.$inferSelect;
export type PersonInput = typeof directoryPeople.$inferInsert;
export type Team = typeof directoryTeams.$inferSelect;
export type TeamInput = typeof directoryTeams.$inferInsert;

const built = new WeakMap<Db, Directory>();

/** The directory over this database, built once and shared by every module that asks for it. */
export function directoryOf(database: { db: Db }): Directory {
  let d = built.get(database.db);
  if (!d) built.set(database.db, (d = createDirectory(database)));
  return d;
}

/** Who is who: people, roles, teams and their chats. */
export function createDirectory({ db }: { db: Db }) {
  return {
    async person(openId: string): Promise<Person | null> {
      const [row] = await db.select().from(directoryPeople).where(eq(directoryPeople.openId, openId));
      return row ?? null;
    },

    /** Active people, optionally only those in `team` and/or holding `role`. */
    async people(filter: { team?: string; role?: string } = {}): Promise<Person[]> {
      const conditions = [eq(directoryPeople.active, true)];
      if (filter.team) conditions.push(arrayContains(directoryPeople.teams, [filter.team]));
      if (filter.role) conditions.push(arrayContains(directoryPeople.roles, [filter.role]));
      return db
        .select()
        .from(directoryPeople)
        .where(and(...conditions))
        .orderBy(directoryPeople.openId);
    },

    async team(key: string): Promise<Team | null> {
      const [row] = await db.select().from(directoryTeams).where(eq(directoryTeams.key, key));
      return row ?? null;
    },

    async teams(): Promise<Team[]> {
      return db.select().from(directoryTeams).orderBy(directoryTeams.key);
    },

    /**
     * The next active member of an active team in rotation. The cursor moves in one UPDATE, so two
     * instances assigning at once get different people.
     */
    async nextInRotation(teamKey: string, role?: string): Promise<Person | null> {
      // An inactive team (团队.启用 unticked) takes no new work.
      if ((await this.team(teamKey))?.active === false) return null;
      const members = await this.people({ team: teamKey, ...(role ? { role } : {}) });
      if (members.length === 0) return null;
      const [row] = await db
        .update(directoryTeams)
        .set({ rotation: sql`${directoryTeams.rotation} + 1` })
        .where(eq(directoryTeams.key, teamKey))
        .returning({ rotation: directoryTeams.rotation });
      const turn = (row?.rotation ?? 1) - 1;
      return members[turn % members.length] ?? null;
    },

    async upsertPeople(people: PersonInput[]): Promise<void> {
      for (const p of people) {
        await db
          .insert(directoryPeople)
          .values(p)
          .onConflictDoUpdate({ target: directoryPeople.openId, set: { ...p, updatedAt: sql`now()` } });
      }
    },

    async upsertTeams(teams: TeamInput[]): Promise<void> {
      for (const t of teams) {
        const { rotation: _keep, ...changes } = t;
        await db
          .insert(directoryTeams)
          .values(t)
          .onConflictDoUpdate({ target: directoryTeams.key, set: { ...changes, updatedAt: sql`now()` } });
      }
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
