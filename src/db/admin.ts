import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Runs one statement on the server at `serverUrl` (create/drop database cannot run in a pool transaction). */
export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * An empty database on the server at `serverUrl`, and how to drop it again — for test files,
 * benchmark runs and chaos trials that must not share state.
 */
export async function createThrowawayDatabase(
  serverUrl: string,
  prefix = 'fo_test',
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await adminQuery(serverUrl, `create database ${name}`);
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`).catch(() => undefined),
  };
}
