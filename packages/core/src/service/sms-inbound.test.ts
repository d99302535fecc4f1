import { describe, expect, it } from 'vitest';
import { smsKeyword } from './sms-inbound.ts';

describe('smsKeyword (DESIGN section 10: the whole text, trimmed, any case)', () => {
  it.each(['STOP', 'stop', ' Stop\n', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit'])(
    '%j opts out',
    (text) => {
      expect(smsKeyword(text)).toBe('stop');
    },
  );

  it.each(['START', ' start ', 'UNSTOP', 'Unstop'])('%j opts back in', (text) => {
    expect(smsKeyword(text)).toBe('start');
  });

  it.each(['stop it', 'please stop', 'STOP!', 'S T O P', '', 'yes', 'started'])(
    '%j is an ordinary reply',
    (text) => {
      expect(smsKeyword(text)).toBeNull();
    },
  );
});
