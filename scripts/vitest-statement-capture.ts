import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { installStatementCapture } from '../packages/db/src/statement-capture.ts';

/*
 * Setup file of the integration tier: every database createTestDatabase makes in this test file records
 * its distinct SQL texts; after the file, they go to the run's capture directory, which
 * scripts/vitest-statement-routing.ts judges once the whole run is over (issue 15 item 5).
 */
const dir = inject('statementCaptureDir');
const capture = installStatementCapture();

afterAll(() => {
  if (!dir || capture.size === 0) return;
  writeFileSync(join(dir, `${randomUUID()}.json`), JSON.stringify([...capture]));
});
