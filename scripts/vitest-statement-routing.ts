import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROUTING_ALLOW_LIST } from '../packages/db/src/statement-allow-list.ts';
import { judgeStatement, unroutedStatements } from '../packages/db/src/statement-routing.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    statementCaptureDir: string;
  }
}

/*
 * Global setup of the integration tier: a capture directory for the run (filled by
 * scripts/vitest-statement-capture.ts), and at the end the statement-routing check over everything the
 * run sent: a statement on a distributed table that neither filters on nor inserts contact_id, and that
 * no allow-list entry covers, fails the run, printed with its tables (DESIGN section 9). It sees the
 * statements of the handles createTestDatabase makes (the code under test and the tests' own reads);
 * processes the tests spawn (the API, the workers) open their own connections and are not captured.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'statement-capture-'));
  project.provide('statementCaptureDir', dir);
  return () => {
    const statements: string[] = [];
    for (const file of readdirSync(dir)) {
      statements.push(...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as string[]));
    }
    rmSync(dir, { recursive: true, force: true });
    // STATEMENT_ROUTING_REPORT=<file>: every distinct statement with its verdict, to review the allow-list.
    const report = process.env.STATEMENT_ROUTING_REPORT;
    if (report) {
      const verdicts = [...new Set(statements)].map((sql) => judgeStatement(sql, ROUTING_ALLOW_LIST));
      const rows = verdicts.map((v) => ({
        sql: v.sql,
        tables: v.tables,
        routed: v.routed,
        allowedBy: v.allowedBy?.name,
      }));
      writeFileSync(report, JSON.stringify(rows, null, 1));
    }
    const bad = unroutedStatements(statements, ROUTING_ALLOW_LIST);
    if (bad.length === 0) return;
    const lines = bad.map((v) => `  [${v.tables.join(', ')}] ${v.sql}`);
    throw new Error(
      `statement routing: ${bad.length} statement(s) on distributed tables neither filter on nor insert ` +
        `contact_id and are not on the allow-list (packages/db/src/statement-allow-list.ts):\n${lines.join('\n')}`,
    );
  };
}
