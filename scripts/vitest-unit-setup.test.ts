import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

/* The unit tier's guard (vitest-unit-setup.ts, a setup file of the unit project only) is in force here. */
describe('the unit tier refuses I/O', () => {
  it('refuses to start a process, whichever way it is imported', async () => {
    expect(() => spawn(process.execPath, ['-e', ''])).toThrow(/unit tier starts no process/);
    expect(() => execFile(process.execPath, ['-e', ''])).toThrow(/unit tier starts no process/);
    const dynamic = await import('node:child_process');
    expect(() => dynamic.default.fork('x.js')).toThrow(/unit tier starts no process/);
  });

  it('refuses to open a connection, fetch included', async () => {
    expect(() => connect(5432, '127.0.0.1')).toThrow(/opens no connection/);
    const failure: unknown = await fetch('http://127.0.0.1:6379/').catch((error: unknown) => error);
    expect(String((failure as Error).cause)).toMatch(/opens no connection/);
  });
});
