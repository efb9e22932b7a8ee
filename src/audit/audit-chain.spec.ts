import { auditHash, GENESIS_HASH, verifyInstanceChain, type AuditRecord } from './audit-chain';

const entry = (seq: number, prevHash: string, extra: Partial<AuditRecord> = {}): AuditRecord & { hash: string } => {
  const record: AuditRecord = {
    instanceId: 'i-1',
    seq,
    eventType: seq === 1 ? '$start' : 'submit',
    payload: '{}',
    actor: 'alice',
    actorRoles: '["applicant"]',
    fromState: seq === 1 ? null : 'draft',
    toState: 'draft',
    definitionVersionId: 'v-1',
    effects: '{"effects":[],"timers":[]}',
    at: '2026-02-13T02:00:00.000Z',
    prevHash,
    cause: null,
    ...extra,
  };
  return { ...record, hash: auditHash(record) };
};

function chain(n: number) {
  const out: (AuditRecord & { hash: string })[] = [];
  for (let seq = 1; seq <= n; seq++) out.push(entry(seq, out.at(-1)?.hash ?? GENESIS_HASH));
  return out;
}

describe('the audit chain', () => {
  it('hashes every recorded field; attributes only when present, so older entries keep their hash', () => {
    const base = entry(1, GENESIS_HASH);
    expect(base.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry(1, GENESIS_HASH, { actorAttributes: null }).hash).toBe(base.hash);
    expect(entry(1, GENESIS_HASH, { actorAttributes: '{"department":"工程部"}' }).hash).not.toBe(base.hash);
    expect(entry(1, GENESIS_HASH, { payload: '{"days":2}' }).hash).not.toBe(base.hash);
  });

  it('accepts an intact chain whose head matches the instance row', () => {
    const entries = chain(3);
    expect(verifyInstanceChain('i-1', entries, { seq: 3, hash: entries[2].hash })).toBeUndefined();
  });

  it('names the first entry that was changed, removed, or cut off the end', () => {
    const entries = chain(3);
    const changed = entries.map((e) => (e.seq === 2 ? { ...e, payload: '{"days":99}' } : e));
    expect(verifyInstanceChain('i-1', changed, { seq: 3, hash: entries[2].hash })).toMatchObject({
      seq: 2,
      reason: expect.stringContaining('does not match its hash'),
    });
    expect(verifyInstanceChain('i-1', [entries[0], entries[2]], { seq: 3, hash: entries[2].hash })).toMatchObject({
      seq: 2,
      reason: expect.stringContaining('missing'),
    });
    expect(verifyInstanceChain('i-1', entries.slice(0, 2), { seq: 3, hash: entries[2].hash })).toMatchObject({ seq: 3 });
  });
});
