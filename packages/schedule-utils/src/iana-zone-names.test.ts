import { describe, expect, it } from 'vitest';
import { IANA_TZDB_VERSION, IANA_ZONE_NAMES } from './iana-zone-names.ts';

// The list is generated from a tz release (scripts/generate-iana-zone-names.ts) and checked in; these
// tests say when it is stale or was generated from something that is not the tz database.
describe('IANA_ZONE_NAMES', () => {
  const names = new Set(IANA_ZONE_NAMES);

  it("holds every zone Node's ICU lists (regenerate the list when this fails)", () => {
    const missing = Intl.supportedValuesOf('timeZone').filter((zone) => !names.has(zone));
    expect(missing, `missing from tz ${IANA_TZDB_VERSION}; run the generator`).toEqual([]);
  });

  it.each(['PST', 'PDT', 'BST', 'IST', 'JST', 'AST', 'CST', 'Factory'])(
    'does not hold %s, which ICU accepts but the tz database does not name',
    (zone) => {
      expect(names.has(zone)).toBe(false);
    },
  );

  it.each(['US/Eastern', 'CET', 'Asia/Calcutta', 'EST', 'Etc/GMT+5', 'UTC', 'America/New_York'])(
    'holds %s (a zone or a link of the database, backward included)',
    (zone) => {
      expect(names.has(zone)).toBe(true);
    },
  );

  it('is sorted and has no duplicates', () => {
    expect([...IANA_ZONE_NAMES].sort()).toEqual(IANA_ZONE_NAMES);
    expect(names.size).toBe(IANA_ZONE_NAMES.length);
  });
});
