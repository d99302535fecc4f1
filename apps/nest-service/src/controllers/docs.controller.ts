import type { Runtime } from '@campaign/runtime';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Public } from '../http/public.ts';
import { openApiDocument } from '../openapi.ts';
import { RUNTIME } from '../tokens.ts';

@Public()
@Controller('docs')
export class DocsController {
  private readonly document: Record<string, unknown>;
  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.document = openApiDocument(runtime.config.publicUrl);
  }

  @Get('json')
  json() {
    return this.document;
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  ui() {
    return `<!doctype html><html><head><meta charset="utf-8"><title>Campaign engine API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/docs/json', dom_id: '#ui' });</script></body></html>`;
  }
}
