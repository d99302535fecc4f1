import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_INVALID, EXIT_OK, main } from './main.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

function tempFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'campaign-cli-fix-')), 'plan.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** A valid plan, and the same plan as an LLM might write it: each mistake has one obvious fix. */
const validPlan = {
  version: '1.0',
  timezone: 'America/Los_Angeles',
  quietHours: { start: '21:00', end: '07:30' },
  startNodeId: 'intro',
  nodes: [
    {
      id: 'intro',
      action: 'send',
      subject: 'Hi',
      body: 'Hello',
      transitions: [
        { on: 'opened', to: 'bump' },
        { on: 'no_open', to: 'bump', after: 'P3D' },
      ],
    },
    {
      id: 'bump',
      action: 'send',
      subject: 'Again',
      body: 'Hello again',
      schedule: { delay: 'P1D' },
      transitions: [],
    },
  ],
};
const llmPlan = {
  ...validPlan,
  timezone: 'PST',
  quietHours: { start: '9pm', end: '7:30am' },
  nodes: [
    {
      ...validPlan.nodes[0],
      transitions: [
        { on: 'open', to: 'bump' },
        { on: 'no-open', to: 'bump', after: '3 days' },
      ],
    },
    { id: 'bump', action: 'send', subject: 'Again', body: 'Hello again', delay: 'P1D', transitions: [] },
  ],
};

describe('campaign validate --fix', () => {
  it('--json prints {valid, issues, plan} with the repaired plan, and exits 0 when it is valid', async () => {
    const { code, stdout } = await cli('validate', tempFile(llmPlan), '--fix', '--json');
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(['issues', 'plan', 'valid']);
    expect(result).toEqual({ valid: true, issues: [], plan: validPlan });
  });

  it('without --json prints the repaired plan on stdout and the fixes on stderr', async () => {
    const { code, stdout, stderr } = await cli('validate', tempFile(llmPlan), '--fix');
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(stdout)).toEqual(validPlan);
    expect(stderr).toContain(
      'fixed   /timezone  invalid_timezone: [{"op":"replace","path":"/timezone","value":"America/Los_Angeles"}]',
    );
    expect(stderr).toContain('7 fixes applied; the repaired plan is valid');
  });

  it('repairs examples/broken-plan.json, keeps the issues without a fix and exits 1', async () => {
    const { code, stdout } = await cli('validate', 'examples/broken-plan.json', '--fix', '--json');
    expect(code).toBe(EXIT_INVALID);
    const result = JSON.parse(stdout);
    expect(result.valid).toBe(false);
    // The plan of the {"contact", "plan"} request, repaired: the three obvious mistakes are gone.
    expect(result.plan.quietHours.end).toBe('07:30');
    expect(result.plan.nodes[3].schedule).toEqual({ delay: 'P1D' });
    expect(result.plan.nodes[8].transitions[0].on).toBe('opened');
    const paths = result.issues.map((issue: { path: string }) => issue.path);
    expect(paths).not.toContain('/quietHours/end');
    expect(paths).not.toContain('/nodes/3/delay');
    expect(paths).not.toContain('/nodes/8/transitions/0/on');
    expect(result.issues.filter((issue: { fix?: unknown }) => issue.fix !== undefined)).toEqual([]);
    // The contact of the request still counts: {{company}} has no value for Ada.
    expect(result.issues.map((issue: { code: string }) => issue.code)).toContain('missing_variable');
  });

  it('never writes to the plan file', async () => {
    const file = tempFile(llmPlan);
    await cli('validate', file, '--fix');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(llmPlan);
  });

  it('validate without --fix is unchanged: {valid, issues}, with each fix on its issue', async () => {
    const { code, stdout } = await cli('validate', tempFile(llmPlan), '--json');
    expect(code).toBe(EXIT_INVALID);
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(['issues', 'valid']);
    expect(result.issues.find((issue: { path: string }) => issue.path === '/quietHours/start').fix).toEqual([
      { op: 'replace', path: '/quietHours/start', value: '21:00' },
    ]);
  });
});
