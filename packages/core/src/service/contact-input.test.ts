import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../ports/records.ts';
import { contactIdForEmail } from './campaign-record.ts';
import { checkedContact, contactFacts, contactIdFor, InvalidContactError } from './contact-input.ts';

const record = (over: Partial<ContactRecord>): ContactRecord => ({
  id: 'c-1',
  email: null,
  phone: null,
  idGiven: null,
  name: null,
  timezone: null,
  attributes: {},
  suppressedAt: null,
  suppressionReason: null,
  ...over,
});

describe('checkedContact', () => {
  it('accepts an E.164 phone and trims blanks to absent', () => {
    expect(checkedContact({ email: '  ', phone: ' +14155550123 ' })).toEqual({
      email: null,
      phone: '+14155550123',
    });
  });

  it.each(['4155550123', '+1 415 555 0123', '+1-415-555-0123', '+0123456789', '+999123', 'call me'])(
    'refuses %s as invalid_phone',
    (phone) => {
      const error = (() => {
        try {
          checkedContact({ email: 'a@example.com', phone });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidContactError);
      expect((error as InvalidContactError).code).toBe('invalid_phone');
    },
  );

  it('refuses a contact with neither email nor phone', () => {
    expect(() => checkedContact({ name: 'x' })).toThrow(
      expect.objectContaining({ code: 'missing_contact_address' }),
    );
  });
});

describe('contactIdFor', () => {
  it('keeps a given id, derives the 1.0 id from the email, else one from the phone', () => {
    expect(contactIdFor({ id: 'given', email: 'a@example.com' })).toBe('given');
    expect(contactIdFor({ email: 'A@Example.com' })).toBe(contactIdForEmail('a@example.com'));
    const byPhone = contactIdFor({ phone: '+14155550123' });
    expect(byPhone).toBe(contactIdFor({ phone: '+14155550123' }));
    expect(byPhone).not.toBe(contactIdFor({ phone: '+14155550124' }));
  });
});

describe('contactFacts: the split key of DESIGN section 10', () => {
  it('is the id the caller gave', () => {
    expect(contactFacts(record({ id: 'crm-7', email: 'A@x.com', idGiven: true })).key).toBe('crm-7');
  });

  it('else the email lower-cased, else the phone', () => {
    expect(contactFacts(record({ id: 'derived', email: ' Ann@X.com', idGiven: false })).key).toBe(
      'ann@x.com',
    );
    expect(contactFacts(record({ id: 'derived', phone: '+14155550123', idGiven: false })).key).toBe(
      '+14155550123',
    );
  });

  it('for a contact stored before idGiven was recorded, tells a derived id from a given one', () => {
    const derived = contactIdForEmail('ann@x.com');
    expect(contactFacts(record({ id: derived, email: 'Ann@x.com' })).key).toBe('ann@x.com');
    expect(contactFacts(record({ id: 'crm-7', email: 'Ann@x.com' })).key).toBe('crm-7');
  });

  it('carries attributes, email and phone', () => {
    const facts = contactFacts(
      record({ email: 'a@x.com', phone: '+14155550123', attributes: { employees: 250 }, idGiven: true }),
    );
    expect(facts).toEqual({
      key: 'c-1',
      attributes: { employees: 250 },
      email: 'a@x.com',
      phone: '+14155550123',
    });
  });
});
