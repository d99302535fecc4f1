import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountConsole } from '../dist/http/console.js';

/*
 * How the API serves the console (issue 14 item 5): the built files under /console, index.html for any
 * other page path (the page routes itself), a missing asset a 404, the page's headers, and a clear 404
 * when the console was never built. On a Nest app with nothing else, over real HTTP.
 */

/** A module with nothing in it (decorated by a call: the tests' transform has no decorators). */
class EmptyModule {}
Module({})(EmptyModule);

const INDEX = '<!doctype html><div id="root">console-index</div>';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

async function serve(dist: string): Promise<{ app: INestApplication; base: string }> {
  const app = await NestFactory.create<NestExpressApplication>(EmptyModule, { logger: false });
  mountConsole(app, dist);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

describe('the console under /console', () => {
  const root = mkdtempSync(join(tmpdir(), 'console-serve-'));
  const dist = join(root, 'dist');
  let built: { app: INestApplication; base: string };
  let unbuilt: { app: INestApplication; base: string };
  const get = (base: string, path: string, method = 'GET') =>
    fetch(`${base}${path}`, { method, redirect: 'manual' });

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app");');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    mkdirSync(join(root, 'empty'));
    built = await serve(dist);
    unbuilt = await serve(join(root, 'empty'));
  });
  afterAll(async () => {
    await built?.app.close();
    await unbuilt?.app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends /console to /console/, keeping the query', async () => {
    for (const [path, location] of [
      ['/console', '/console/'],
      ['/console?x=1', '/console/?x=1'],
    ] as const) {
      const res = await get(built.base, path);
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe(location);
    }
  });

  it('answers the page at its base and at any page path, never cached, with its CSP and no framing', async () => {
    for (const path of ['/console/', '/console/campaigns/abc', '/console/senders?x=1']) {
      const res = await get(built.base, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves a built asset as it is, and a missing one as a 404 rather than the page', async () => {
    const asset = await get(built.base, '/console/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(await asset.text()).toBe('console.log("app");');
    const missing = await get(built.base, '/console/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('console-index');
  });

  it('serves nothing outside its directory', async () => {
    for (const path of ['/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt', '/console/../secret.txt']) {
      const res = await get(built.base, path);
      expect(await res.text()).not.toContain('not for the web');
    }
  });

  it('takes only GET and HEAD, and only under /console/', async () => {
    expect((await get(built.base, '/console/', 'POST')).status).toBe(404);
    expect((await get(built.base, '/console/', 'HEAD')).status).toBe(200);
    expect((await get(built.base, '/consolex')).status).toBe(404);
  });

  it('says the console is not built when its index.html is missing', async () => {
    const res = await get(unbuilt.base, '/console/campaigns');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'console_not_built' });
  });
});
