import type { CampaignPlanExecutionService, SenderView } from '@campaign/core';
import type { Runtime } from '../runtime.ts';
import { SenderImapSettings, type SenderImapView } from './sender-imap-settings.ts';

/** A sender with its `imap` settings (issue 13) when it has any; the password is never in it. */
export interface SenderWithImap {
  view: SenderView;
  imap: SenderImapView | null;
}

/**
 * The senders API's use cases: core's sender commands and queries, with the `imap` field kept beside
 * them (password encrypted under IMAP_SECRET_KEY, never answered). The controller only forwards here.
 */
export class SenderAdmin {
  private readonly service: CampaignPlanExecutionService;
  private readonly imap: SenderImapSettings;
  private readonly runtime: Runtime;

  constructor(service: CampaignPlanExecutionService, runtime: Runtime) {
    this.service = service;
    this.runtime = runtime;
    this.imap = new SenderImapSettings(runtime.database.db, process.env);
  }

  async create(body: unknown): Promise<SenderWithImap> {
    const { rest, imap } = this.imap.split(body);
    await this.imap.check(undefined, imap, (rest as { channel?: string } | null)?.channel);
    const view = await this.service.senders.create(rest);
    await this.imap.write(view.id, imap ?? undefined, this.runtime.clock.now());
    return { view, imap: await this.imap.view(view.id) };
  }

  async list(): Promise<SenderWithImap[]> {
    const views = await this.service.senders.list();
    const imap = await this.imap.views(views.map((v) => v.id));
    return views.map((view) => ({ view, imap: imap.get(view.id) ?? null }));
  }

  async get(id: string): Promise<SenderWithImap> {
    const view = await this.service.senders.get(id);
    return { view, imap: await this.imap.view(id) };
  }

  async update(id: string, body: unknown): Promise<SenderWithImap> {
    const { rest, imap } = this.imap.split(body);
    const current = await this.service.senders.get(id);
    await this.imap.check(id, imap, current.channel);
    const view = await this.service.senders.update(id, rest);
    await this.imap.write(id, imap, this.runtime.clock.now());
    return { view, imap: await this.imap.view(id) };
  }

  async remove(id: string): Promise<void> {
    await this.service.senders.delete(id);
  }
}
