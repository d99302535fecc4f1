import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The API only wires (issue 10 item 3): it runs no SQL (the readiness ping is the database package's),
 * builds no BullMQ queue of its own (Bull Board gets the scheduler's), reads no wall clock (the runtime's
 * Clock) and does not parse core's Message-ID format (core's messageIdFromHeader).
 */

const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sources(srcDir).map((path) => ({
  path: path.slice(srcDir.length),
  text: readFileSync(path, 'utf8'),
}));

const RULES = {
  sql: /from\s+['"](kysely|pg|pg-boss|@electric-sql\/[^'"]*)['"]|\bsql`|\.(selectFrom|insertInto|updateTable|deleteFrom|executeSql)\(|\.database\.db\b/,
  queue:
    /from\s+['"](bullmq|ioredis)['"]|import\(\s*['"](bullmq|ioredis)['"]\s*\)|new\s+(Queue|Worker|Redis)\(/,
  wallClock: /Date\.now\(|new Date\(\s*\)|performance\.now\(/,
  messageIdFormat: /\[0-9a-f\]\{8\}|OUR_MESSAGE_ID/i,
};

/** Lines this app held before it only wired: each rule must catch its own. */
const FORMER_LINES: Record<keyof typeof RULES, string[]> = {
  sql: [
    "import { sql } from 'kysely';",
    'await answersWithin(sql`select 1`.execute(this.runtime.database.db));',
  ],
  queue: ["import('bullmq'),", 'const queue = new Queue(runtime.config.queueName, {'],
  wallClock: ['new Date(),', 'sessionCookie(this.authenticator.issueSession(Date.now()), secure)'],
  messageIdFormat: [
    'const OUR_MESSAGE_ID = /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>]+>?$/i;',
  ],
};

describe('apps/nest-service only wires', () => {
  it('scans the app sources', () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'app.ts',
        join('controllers', 'webhooks.controller.ts'),
        join('controllers', 'health.controller.ts'),
      ]),
    );
  });

  it.each(Object.keys(RULES) as (keyof typeof RULES)[])(
    'the %s rule catches what the app used to do',
    (rule) => {
      for (const line of FORMER_LINES[rule]) expect(RULES[rule].test(line), line).toBe(true);
    },
  );

  it.each(Object.keys(RULES) as (keyof typeof RULES)[])('no source breaks the %s rule', (rule) => {
    expect(files.filter((f) => RULES[rule].test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
