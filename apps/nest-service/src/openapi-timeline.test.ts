import { type TimelineEntry, timelineEntriesOf } from '@campaign/core';
import { runScenarioOnSimulator, SCENARIOS } from '@campaign/core/testing';
import { describe, expect, it } from 'vitest';
import { timelineEntrySchema } from './openapi-timeline.ts';

/*
 * The OpenAPI TimelineEntry schema against the entries the engine really makes: every entry of every
 * parity scenario (1.0 and 1.1: sends, SMS, threads, branch/split transitions, deferrals, skips) matches
 * exactly one of its shapes. A new field or entry kind that the document does not describe fails here.
 */

type Property = { const?: unknown; enum?: unknown[]; type?: string | string[] };
type Shape = { required: string[]; properties: Record<string, Property> };

function typeOk(value: unknown, type: string): boolean {
  if (type === 'null') return value === null;
  if (type === 'integer') return Number.isInteger(value);
  return typeof value === type;
}

/** A small JSON Schema check for the keywords the timeline shapes use. */
function matches(shape: Shape, entry: Record<string, unknown>): boolean {
  if (!shape.required.every((key) => key in entry)) return false;
  return Object.entries(entry).every(([key, value]) => {
    const property = shape.properties[key];
    if (!property) return false; // additionalProperties: false
    if ('const' in property && property.const !== value) return false;
    if (property.enum && !property.enum.includes(value)) return false;
    const types = property.type === undefined ? [] : [property.type].flat();
    return types.length === 0 || types.some((type) => typeOk(value, type));
  });
}

const shapes = timelineEntrySchema.oneOf as unknown as Shape[];

function shapesOf(entry: TimelineEntry): number {
  return shapes.filter((shape) => matches(shape, entry as Record<string, unknown>)).length;
}

describe('OpenAPI TimelineEntry', () => {
  const entries = SCENARIOS.flatMap((scenario) => runScenarioOnSimulator(scenario).timeline);

  it('the scenarios cover the v1.1 entries (an SMS send, a threaded send, a split transition, a skip)', () => {
    expect(entries.some((e) => e.kind === 'send' && e.channel === 'sms')).toBe(true);
    expect(entries.some((e) => e.kind === 'send' && e.inReplyTo !== undefined)).toBe(true);
    expect(entries.some((e) => e.kind === 'transition' && e.variant !== undefined)).toBe(true);
    expect(entries.some((e) => e.kind === 'skipped')).toBe(true);
  });

  it('every scenario entry matches exactly one shape', () => {
    const unmatched = entries.filter((entry) => shapesOf(entry) !== 1);
    expect(unmatched).toEqual([]);
  });

  it('refuses what no entry is: an SMS send without segments, an email send with a channel, an unknown kind', () => {
    const at = '2026-01-05T09:00:00.000Z';
    const base = { at, kind: 'send', node: 'n', message: 'm', dueAt: at };
    expect(shapesOf({ ...base, channel: 'sms', text: 'Hi' } as TimelineEntry)).toBe(0);
    expect(shapesOf({ ...base, subject: 's', channel: 'email' } as unknown as TimelineEntry)).toBe(0);
    expect(shapesOf({ at, kind: 'teleport' } as unknown as TimelineEntry)).toBe(0);
    const [plain] = timelineEntriesOf({ kind: 'pause', at: new Date(at) });
    expect(plain && shapesOf(plain)).toBe(1);
  });
});
