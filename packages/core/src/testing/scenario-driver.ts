import { randomUUID } from 'node:crypto';
import { InvalidCampaignStateError } from '../errors.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import { CampaignPlanExecutionService } from '../service/campaign-plan-execution-service.ts';
import { simulate } from '../simulate/simulator.ts';
import type { SimulationResult, TimelineEntry } from '../simulate/timeline.ts';
import { InMemoryScheduler } from './in-memory-scheduler.ts';
import { ManualClock } from './manual-clock.ts';
import { RecordingSmsTransport, RecordingTransport } from './recording-transport.ts';
import type { Scenario } from './scenarios.ts';

const DAY_MS = 86_400_000;

/** The scenario through the simulator. */
export function runScenarioOnSimulator(scenario: Scenario): SimulationResult {
  return simulate({
    definition: {
      plan: scenario.plan,
      timezone: scenario.plan.timezone ?? scenario.contact.timezone ?? 'UTC',
    },
    contact: scenario.contact,
    start: scenario.start,
    events: scenario.events,
    until: scenario.until,
  });
}

/**
 * The scenario through the database-backed service on `store`, with the in-memory scheduler's clock
 * standing in for time: the same ordering rules as the simulator (time order; at one instant, input
 * events before due actions).
 */
export async function runScenarioOnService(
  scenario: Scenario,
  store: CampaignStore,
): Promise<SimulationResult & { transport: RecordingTransport; smsTransport: RecordingSmsTransport }> {
  const clock = new ManualClock(scenario.start);
  const scheduler = new InMemoryScheduler(clock);
  const transport = new RecordingTransport();
  const smsTransport = new RecordingSmsTransport();
  const service = new CampaignPlanExecutionService({ store, scheduler, transport, smsTransport, clock });
  await scheduler.start(async (actionId, contactId) => {
    await service.executeAction(actionId, contactId);
  });
  // A contact (and address) of its own per run: suppression holds per address and must not leak. A
  // contact id the scenario gives is kept: it is the split key (DESIGN section 10), which must be the
  // simulator's. A phone is kept too (a scenario's SMS runs once per database).
  // A plan with a split hashes the contact as given (id, else email, else phone), so such a scenario's
  // contact goes as it is and has addresses no other scenario uses.
  const given = scenario.contact;
  const contact = scenario.plan.nodes.some((node) => node.action === 'split')
    ? given
    : {
        ...given,
        id: given.id ?? randomUUID(),
        ...(given.email !== undefined ? { email: `${randomUUID()}.${given.email}` } : {}),
      };
  const { campaign } = await service.persistPlan({ contact, plan: scenario.plan });
  const until = (scenario.until ?? new Date(scenario.start.getTime() + 365 * DAY_MS)).getTime();
  const inputs = [...scenario.events].sort((a, b) => a.at.getTime() - b.at.getTime());
  let index = 0;
  for (;;) {
    const input = inputs[index];
    const job = scheduler.nextRunAt();
    const next = Math.min(
      input?.at.getTime() ?? Number.POSITIVE_INFINITY,
      job?.getTime() ?? Number.POSITIVE_INFINITY,
    );
    if (next === Number.POSITIVE_INFINITY || next > until) break;
    clock.set(new Date(Math.max(next, clock.now().getTime())));
    if (input && input.at.getTime() === next) {
      index += 1;
      try {
        if (input.type === 'pause') await service.pause(campaign.id);
        else if (input.type === 'resume') await service.resume(campaign.id);
        else if (input.type === 'cancel') await service.cancel(campaign.id);
        else if (input.type === 'plan') await service.updatePlan(campaign.id, input.plan);
        else if (input.type === 'custom') {
          await service.recordCustomEvent({
            id: input.id ?? `custom-${index}`,
            name: input.name,
            occurredAt: input.at,
            contactId: campaign.contactId,
          });
        } else {
          const view = await service.getCampaign(campaign.id);
          const message = latestMessage(view.timeline, input.node, input.at);
          await service.recordEvent({
            provider: 'scenario',
            providerEventId: input.id ?? `evt-${index}`,
            messageId: message,
            contactId: campaign.contactId,
            type: input.type,
            occurredAt: input.at,
            machine: input.machine,
            bot: input.bot,
            autoReply: input.autoReply,
          });
        }
      } catch (error) {
        if (!(error instanceof InvalidCampaignStateError)) throw error;
      }
    } else {
      await scheduler.runDue();
    }
  }
  const view = await service.getCampaign(campaign.id);
  const status = view.campaign.state.status;
  return {
    status: status === 'pending' ? 'active' : status,
    currentNodeId: view.campaign.state.currentNodeId,
    stopReason: view.campaign.state.stopReason,
    timeline: view.timeline,
    transport,
    smsTransport,
  };
}

function latestMessage(
  timeline: readonly TimelineEntry[],
  node: string | undefined,
  at: Date,
): string | undefined {
  for (let i = timeline.length - 1; i >= 0; i -= 1) {
    const entry = timeline[i];
    if (
      entry?.kind === 'send' &&
      (node === undefined || entry.node === node) &&
      Date.parse(entry.at) <= at.getTime()
    ) {
      return entry.message;
    }
  }
  return undefined;
}

/**
 * Message ids differ between engines; number them in order of first appearance (`inReplyTo` too).
 * `plan_update` entries are left out: the API's timeline leaves them out (the simulator shows them).
 */
export function normalizeMessageIds(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  const ids = new Map<string, string>();
  const rename = (id: string) => {
    if (!ids.has(id)) ids.set(id, `msg_${ids.size + 1}`);
    return ids.get(id) as string;
  };
  return timeline
    .filter((entry) => entry.kind !== 'plan_update')
    .map((entry) => {
      if (entry.kind === 'send') {
        const inReplyTo = entry.inReplyTo !== undefined ? { inReplyTo: rename(entry.inReplyTo) } : {};
        return { ...entry, message: rename(entry.message), ...inReplyTo };
      }
      if (entry.kind === 'event' && entry.message !== null)
        return { ...entry, message: rename(entry.message) };
      return entry;
    });
}
