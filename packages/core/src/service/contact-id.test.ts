import { describe, expect, it } from 'vitest';
import { contactIdForEmail, stableUuid } from './campaign-record.ts';
import { checkedContact, contactIdProblem, InvalidContactError } from './contact-input.ts';

// Contact ids travel in URLs and Message-IDs and are the Citus distribution key (issue 15 item 5).
describe('contact id format', () => {
  it('accepts URL-unreserved dot-atoms up to 128 characters, and every derived id', () => {
    for (const id of [
      'c-1',
      'crm_42',
      'a.b.c',
      'x~y',
      'A'.repeat(128),
      contactIdForEmail('a@example.com'),
      stableUuid('contact-phone:+14155550123'),
    ]) {
      expect(contactIdProblem(id), id).toBeUndefined();
      // Unchanged by URL encoding and a valid Message-ID local part: what "safe" means here.
      expect(encodeURIComponent(id)).toBe(id);
    }
  });

  it.each(['', 'A'.repeat(129), 'a b', 'a/b', 'a@b', '<a>', 'a..b', '.a', 'a.', 'ä', 'a%20', 'a:b', 'a+b'])(
    'refuses %j',
    (id) => {
      expect(contactIdProblem(id)).toBeDefined();
      expect(() => checkedContact({ id, email: 'a@example.com' })).toThrow(InvalidContactError);
    },
  );

  it('a refused id is an invalid_contact error naming the id', () => {
    try {
      checkedContact({ id: 'a b', email: 'a@example.com' });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidContactError).code).toBe('invalid_contact');
      expect((error as Error).message).toContain('"a b"');
    }
  });
});
