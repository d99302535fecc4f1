import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GSM7_BASIC, GSM7_EXTENSION, renderSms, smsSegments } from './sms.ts';
import { MissingVariableError, TemplateSyntaxError } from './template-errors.ts';

describe('GSM 03.38 tables', () => {
  it('hold 127 basic characters (128 less the escape) and 10 extension characters, disjoint', () => {
    expect([...GSM7_BASIC]).toHaveLength(127);
    expect(new Set(GSM7_BASIC).size).toBe(127);
    expect([...GSM7_EXTENSION]).toHaveLength(10);
    expect([...GSM7_EXTENSION].filter((char) => GSM7_BASIC.includes(char))).toEqual([]);
  });

  it('cover printable ASCII except the backtick', () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    const outside = ascii.filter((char) => !GSM7_BASIC.includes(char) && !GSM7_EXTENSION.includes(char));
    expect(outside).toEqual(['`']);
  });
});

describe('smsSegments: GSM-7', () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('%i basic characters take %i segment(s)', (length, segments) => {
    expect(smsSegments('a'.repeat(length))).toEqual({ encoding: 'gsm7', units: length, segments });
  });

  it('counts each extension character as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toEqual({ encoding: 'gsm7', units: 162, segments: 2 });
    expect(smsSegments(`${'a'.repeat(159)}{`)).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
    expect(smsSegments('^{}\\[~]|€\f').units).toBe(20);
  });

  it('counts accented letters of the default alphabet, Greek capitals, CR and LF as one septet', () => {
    // 5 + 1 + 4 + 5 accented letters, 10 Greek capitals, CR and LF: 27 septets.
    expect(smsSegments('éèùìòÇÄÖÑÜäöñüàΔΦΓΛΩΠΨΣΘΞ\r\n')).toEqual({
      encoding: 'gsm7',
      units: 27,
      segments: 1,
    });
  });

  it('counts the empty text as one GSM-7 segment of 0 units', () => {
    expect(smsSegments('')).toEqual({ encoding: 'gsm7', units: 0, segments: 1 });
  });
});

describe('smsSegments: UCS-2', () => {
  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('%i Cyrillic characters take %i segment(s)', (length, segments) => {
    expect(smsSegments('ж'.repeat(length))).toEqual({ encoding: 'ucs2', units: length, segments });
  });

  it('switches the whole text to UCS-2 for one emoji, counting its surrogate pair as 2 units', () => {
    expect(smsSegments('😀')).toEqual({ encoding: 'ucs2', units: 2, segments: 1 });
    // 69 + 2 = 71 units: past the single-message 70.
    expect(smsSegments(`${'a'.repeat(69)}😀`)).toEqual({ encoding: 'ucs2', units: 71, segments: 2 });
    // 160 septets as GSM-7 fit one message; 160 units as UCS-2 take ceil(160 / 67) = 3.
    expect(smsSegments(`${'a'.repeat(158)}😀`)).toEqual({ encoding: 'ucs2', units: 160, segments: 3 });
  });

  it('counts extension characters as one unit once the text is UCS-2', () => {
    expect(smsSegments('€€ж')).toEqual({ encoding: 'ucs2', units: 3, segments: 1 });
  });

  it('treats characters outside GSM-7 as UCS-2: lower-case c-cedilla, backtick, tab', () => {
    for (const char of ['ç', '`', '\t', 'ü\u0301'])
      expect(smsSegments(`hello ${char}`).encoding).toBe('ucs2');
  });
});

describe('smsSegments properties', () => {
  const gsmChar = fc.constantFrom(...GSM7_BASIC, ...GSM7_EXTENSION);
  const ucsChar = fc.constantFrom('ж', 'ç', '😀', '中', '€', 'a', '`');

  it('never decreases when a GSM-7 character is appended to a GSM-7 text', () => {
    fc.assert(
      fc.property(fc.array(gsmChar, { maxLength: 500 }), gsmChar, (chars, next) => {
        const before = smsSegments(chars.join(''));
        const after = smsSegments(chars.join('') + next);
        expect(after.encoding).toBe('gsm7');
        expect(after.units).toBeGreaterThan(before.units);
        expect(after.segments).toBeGreaterThanOrEqual(before.segments);
      }),
    );
  });

  it('never decreases when any character is appended to a UCS-2 text', () => {
    fc.assert(
      fc.property(fc.array(ucsChar, { maxLength: 300 }), ucsChar, (chars, next) => {
        const text = `ж${chars.join('')}`;
        const before = smsSegments(text);
        const after = smsSegments(text + next);
        expect(after.encoding).toBe('ucs2');
        expect(after.units).toBeGreaterThan(before.units);
        expect(after.segments).toBeGreaterThanOrEqual(before.segments);
      }),
    );
  });
});

describe('renderSms', () => {
  it('uses defaults and does not escape < or &', () => {
    const rendered = renderSms('Hi {{name|there}} <b> & co', { email: 'a@example.com' });
    // "Hi there <b> & co" is 17 characters of the default alphabet.
    expect(rendered).toEqual({ text: 'Hi there <b> & co', encoding: 'gsm7', units: 17, segments: 1 });
  });

  it("takes the contact's values unescaped, attributes included, and needs no email", () => {
    const rendered = renderSms('{{name}} from {{company}}: {{price}}€', {
      name: 'Ann & "Bo"',
      attributes: { company: '<Acme>', price: 20 },
    });
    expect(rendered.text).toBe('Ann & "Bo" from <Acme>: 20€');
    // 26 basic characters + the euro sign (2 septets).
    expect(rendered.units).toBe(28);
  });

  it('counts segments of the rendered text, not of the template', () => {
    const rendered = renderSms('{{city}}', { attributes: { city: 'Zürich 😀' } });
    expect(rendered).toEqual({ text: 'Zürich 😀', encoding: 'ucs2', units: 9, segments: 1 });
  });

  it('refuses a broken template with TemplateSyntaxError', () => {
    expect(() => renderSms('Hi {{name', { email: 'a@example.com' })).toThrow(TemplateSyntaxError);
  });

  it('refuses a variable with no value and no default, naming it', () => {
    expect(() => renderSms('Hi {{first}}, {{name|there}}', { email: 'a@example.com' })).toThrow(
      MissingVariableError,
    );
    try {
      renderSms('Hi {{first}}', { attributes: { first: '  ' } });
    } catch (error) {
      expect(error).toBeInstanceOf(MissingVariableError);
      expect((error as MissingVariableError).variables).toEqual(['first']);
    }
    expect.assertions(3);
  });
});
