import { z } from 'zod';
import { ENGAGEMENT_EVENTS } from '../plan/plan-schema.ts';

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** One line of a simulation's events file. */
export const simulationEventSchema = z.strictObject({
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
export const simulationEventsSchema = z.array(simulationEventSchema);
export type SimulationEvent = z.output<typeof simulationEventSchema>;

/** The contact a plan runs for. Template variables are `name`, `email` and the attribute keys. */
export const contactSchema = z.strictObject({
  email: z.string().min(1),
  name: z.string().optional(),
  timezone: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type Contact = z.output<typeof contactSchema>;

export const DEFAULT_CONTACT: Contact = { email: 'contact@example.com' };
