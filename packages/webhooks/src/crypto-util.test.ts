import { describe, expect, it } from 'vitest';
import { constantTimeEqual, decodeBase64Strict, decodeHexStrict } from './crypto-util.ts';
import { normalizeMessageId } from './normalize.ts';

describe('constantTimeEqual', () => {
  it('is true only for identical bytes, whatever the lengths', () => {
    expect(constantTimeEqual(Buffer.from('secret'), Buffer.from('secret'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('secret'), Buffer.from('secreT'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('secret'), Buffer.from('secret '))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.from([0]))).toBe(false);
  });
});

describe('strict decoders', () => {
  it('decode canonical base64 and refuse what Buffer.from would silently skip', () => {
    expect(decodeBase64Strict('aGVsbG8=')?.toString()).toBe('hello');
    for (const text of ['aGVsbG8', 'aGVs*bG8=', 'aGVsbG8=\n', '', '====']) {
      expect(decodeBase64Strict(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('decode even-length hex of either case', () => {
    expect(decodeHexStrict('0aFf')).toEqual(Buffer.from([0x0a, 0xff]));
    for (const text of ['abc', 'zz', '', '0x00']) expect(decodeHexStrict(text), text).toBeNull();
  });
});

describe('normalizeMessageId', () => {
  it('puts every form into <local@domain>', () => {
    expect(normalizeMessageId('abc@example.org')).toBe('<abc@example.org>');
    expect(normalizeMessageId(' <abc@example.org> ')).toBe('<abc@example.org>');
    expect(normalizeMessageId('<>')).toBeNull();
    expect(normalizeMessageId(null)).toBeNull();
  });
});
