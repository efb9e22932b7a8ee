import { CryptoIdGenerator, SequentialIds } from './ids';
import { ConsoleLogging, MemoryLogging } from './logging';

describe('the id port', () => {
  it('hands out well-formed v4 UUIDs in production and predictable ones in tests', () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const real = new CryptoIdGenerator();
    expect(real.uuid()).toMatch(v4);
    expect(real.uuid()).not.toBe(real.uuid());
    expect(real.randomBytes(32)).toHaveLength(32);
    const fake = new SequentialIds();
    expect([fake.uuid(), fake.uuid()]).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
    expect(fake.uuid()).toMatch(v4);
    expect(fake.issued).toBe(3);
    expect(new SequentialIds().randomBytes(4)).toEqual(new SequentialIds().randomBytes(4));
    expect(() => new SequentialIds('XYZ')).toThrow(RangeError);
  });
});

describe('the logging port', () => {
  it('writes only the enabled levels, with the context', () => {
    const lines: string[] = [];
    const log = new ConsoleLogging(['fatal', 'error', 'warn'], (l) => lines.push(l)).scope('timers');
    log.warn('timer t failed');
    log.log('fired 3');
    expect(lines).toEqual(['WARN [timers] timer t failed']);
  });

  it('keeps lines in memory for tests', () => {
    const logging = new MemoryLogging();
    logging.scope('outbox').warn('giving up');
    logging.scope('timers').warn('failed');
    expect(logging.messages('warn', 'outbox')).toEqual(['giving up']);
  });
});
