import { z } from 'zod';
import type { ContactFacts } from '../engine/types.ts';
import { ENGAGEMENT_EVENTS, goalNameSchema } from '../plan/plan-schema.ts';

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** An engagement event or a control (pause, resume, cancel) in a simulation's events file. */
const engagementOrControlSchema = z.strictObject({
  at: isoInstant,
  type: z.enum([...ENGAGEMENT_EVENTS, 'pause', 'resume', 'cancel']),
  /** The send node whose latest message the event concerns; default: the latest message sent before `at`. */
  node: z.string().min(1).optional(),
  /** Provider event id; an id seen before is dropped. */
  id: z.string().min(1).optional(),
  machine: z.boolean().optional(),
  bot: z.boolean().optional(),
  autoReply: z.boolean().optional(),
});
/** A new plan version (rule 9), validated like any plan when the simulation reaches it. */
const planUpdateSchema = z.strictObject({
  at: isoInstant,
  type: z.literal('plan'),
  plan: z.unknown(),
});
/**
 * A custom event of the contact (DESIGN section 14, `POST /v1/events` type `custom`): a goal of the plan
 * ends the campaign, and `event` branch conditions read it. An `id` seen before is dropped.
 */
const customEventSchema = z.strictObject({
  at: isoInstant,
  type: z.literal('custom'),
  name: goalNameSchema,
  id: z.string().min(1).optional(),
});
/** One line of a simulation's events file. */
export const simulationEventSchema = z.discriminatedUnion('type', [
  engagementOrControlSchema,
  planUpdateSchema,
  customEventSchema,
]);
export const simulationEventsSchema = z.array(simulationEventSchema);
/** An engagement event or a control, as the events file holds it. */
export type SimulationEvent = z.output<typeof engagementOrControlSchema>;
/** A custom event, as the events file holds it. */
export type CustomEventInput = z.output<typeof customEventSchema>;
/** A new plan version, as the events file holds it (the plan still unvalidated). */
export type PlanUpdateInput = z.output<typeof planUpdateSchema>;
/** One line of the events file, parsed. */
export type SimulationInput = z.output<typeof simulationEventSchema>;

/**
 * The contact a plan runs for. Template variables are `name`, `email` and the attribute keys; branch
 * conditions read `attributes`; a split hashes `id`, else the email lower-cased, else the phone. A
 * contact needs an email or a phone (E.164, for SMS sends).
 */
export const contactSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    email: z.string().min(1).optional(),
    phone: z.string().min(1).optional(),
    name: z.string().optional(),
    timezone: z.string().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined, {
    message: 'a contact needs an "email" or a "phone" (E.164, such as "+14155550123")',
    path: ['email'],
  });
export type Contact = z.output<typeof contactSchema>;

export const DEFAULT_CONTACT: Contact = { email: 'contact@example.com' };

/** What the engine reads of a contact (ContactFacts): the split key, the attributes, email and phone. */
export function simulationContactFacts(contact: Contact): ContactFacts {
  return {
    key: contact.id ?? contact.email?.trim().toLowerCase() ?? contact.phone ?? null,
    attributes: contact.attributes ?? {},
    email: contact.email,
    phone: contact.phone,
  };
}
