// A process that opens the embedded database in DATA_DIR, reports a case (a committed row) and
// then keeps running until it is killed: the "first npm start" of the owner-lock tests.
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

const database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR! });
await migrate(database);
await database.query(
  `insert into exceptions_cases (kind, priority, title, source, external_id, team_key, opened_at) values ('lost',
    'normal', $1, 'test', $2, 'warehouse', now())`,
  [`holder ${process.pid}`, `holder-${process.pid}`],
);
process.stdout.write(`HOLDING ${process.pid}\n`);
setInterval(() => undefined, 60_000);
