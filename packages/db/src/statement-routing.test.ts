import { describe, expect, it } from 'vitest';
import { ROUTING_ALLOW_LIST } from './statement-allow-list.ts';
import {
  type AllowListEntry,
  distributedTablesOf,
  judgeStatement,
  unroutedStatements,
} from './statement-routing.ts';

// Hand-written statements in kysely's compiled form: the expected verdicts follow from Citus' rule
// (a statement is routed when it filters on or inserts the distribution column), not from the code.
describe('statement routing', () => {
  it('finds the distributed tables after from, join, update and into, and ignores the others', () => {
    expect(
      distributedTablesOf(
        'select * from "scheduled_actions" as "a" inner join "contact_campaigns" as "c" on "c"."id" = "a"."campaign_id" join "senders" on true',
      ).sort(),
    ).toEqual(['contact_campaigns', 'scheduled_actions']);
    expect(distributedTablesOf('update "senders" set "paused_at" = $1 where "id" = $2')).toEqual([]);
  });

  it('an insert that names contact_id is routed; one without it is not', () => {
    expect(
      judgeStatement('insert into "outbound_messages" ("contact_id", "campaign_id") values ($1, $2)', [])
        .routed,
    ).toBe(true);
    expect(
      judgeStatement('insert into "outbound_messages" ("campaign_id", "dedupe_key") values ($1, $2)', [])
        .routed,
    ).toBe(false);
  });

  it('a filter on contact_id routes, whether =, in or = any, qualified or not', () => {
    for (const where of [
      '"contact_id" = $1',
      '"a"."contact_id" in ($1, $2)',
      'contact_id = any($1)',
      '$1 = "contact_id"',
    ]) {
      expect(judgeStatement(`select * from "scheduled_actions" where ${where}`, []).routed, where).toBe(true);
    }
  });

  it('a lookup by id alone or a scan is not routed', () => {
    expect(judgeStatement('select * from "scheduled_actions" where "id" = $1', []).routed).toBe(false);
    expect(judgeStatement('select * from "message_events" where "campaign_id" = $1', []).routed).toBe(false);
    // contact_id only selected, not filtered on: still a fan-out.
    expect(
      judgeStatement('select "contact_id" from "contact_campaigns" where "status" = $1', []).routed,
    ).toBe(false);
  });

  it('contacts is routed by its own id, qualified when other tables are joined', () => {
    expect(judgeStatement('select * from "contacts" where "id" = $1 for update', []).routed).toBe(true);
    expect(judgeStatement('select * from "contacts" where lower(email) = $1', []).routed).toBe(false);
    const joined =
      'select * from "contacts" inner join "contact_campaigns" on "contact_campaigns"."contact_id" = "contacts"."id"';
    expect(judgeStatement(`${joined} where "contacts"."id" = $1`, []).routed).toBe(true);
    expect(judgeStatement(`${joined} where "contact_campaigns"."status" = $1`, []).routed).toBe(false);
  });

  it('a lookup table is routed by its own key, and a join with it is not co-located', () => {
    expect(
      judgeStatement('select "contact_id" from "contact_addresses" where "address_sha256" = $1', []).routed,
    ).toBe(true);
    expect(
      judgeStatement(
        'insert into "provider_refs" ("provider_id", "contact_id", "message_id") values ($1, $2, $3)',
        [],
      ).routed,
    ).toBe(true);
    expect(judgeStatement('select * from "provider_refs" where "contact_id" = $1', []).routed).toBe(false);
    const joined =
      'select * from "contacts" as "c" inner join "contact_addresses" as "a" on "a"."contact_id" = "c"."id" where "a"."address_sha256" = $1';
    expect(judgeStatement(joined, []).routed).toBe(false);
  });

  it('DDL, transaction control and statements on reference tables only are not judged', () => {
    for (const sql of ['create index x on scheduled_actions (run_at)', 'begin', 'select * from "senders"']) {
      expect(judgeStatement(sql, []).routed, sql).toBe(true);
    }
  });

  it('an unrouted statement passes only when an allow-list entry matches it, and is reported once', () => {
    const entry: AllowListEntry = {
      name: 'scan',
      mechanism: 'multi-shard',
      why: 'test',
      pattern: /"status" = \$1$/,
    };
    const scan = 'select * from "scheduled_actions" where "status" = $1';
    expect(judgeStatement(scan, [entry]).allowedBy).toBe(entry);
    const bad = 'select * from "outbound_messages" where "to_email" = $1';
    expect(unroutedStatements([scan, bad, `${bad}  `], [entry]).map((v) => v.sql)).toEqual([bad]);
  });

  it('the allow-list leaves a new unrouted lookup failing: by recipient address, or a bare scan', () => {
    for (const sql of [
      'select "id" from "contacts" where lower(email) = $1 order by "id"',
      'select "suppression_reason" from "contacts" where (lower(email) = $1 or "email_sha256" = $2) and "suppressed_at" is not null limit $3',
      'update "contacts" set "sms_suppressed_at" = $1 where "phone" = $2 and "sms_suppressed_at" is null',
      'select * from "outbound_messages" where "provider_message_id" = $1',
      'select * from "outbound_messages" where "to_email" = $1',
      'update "scheduled_actions" set "status" = $1 where "status" = $2',
      'delete from "campaign_transitions" where "at" < $1',
    ]) {
      expect(judgeStatement(sql, ROUTING_ALLOW_LIST).allowedBy, sql).toBeUndefined();
    }
  });

  it('every allow-list entry names a Citus mechanism and a reason', () => {
    for (const entry of ROUTING_ALLOW_LIST) {
      expect(['multi-shard', 'lookup-table']).toContain(entry.mechanism);
      expect(entry.why.length).toBeGreaterThan(10);
    }
  });
});
