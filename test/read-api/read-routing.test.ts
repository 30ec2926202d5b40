import { lsnValue } from '../../src/database/read-routing';

/** Issue 27: WAL positions compare as the WAL orders them, not as text. */
describe('lsnValue', () => {
  it('orders pg_lsn text by position', () => {
    const ordered = ['0/0', '0/16B3748', '0/FFFFFFFF', '1/0', '1/A', 'A/0', '10/0'];
    const values = ordered.map(lsnValue);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    // As text, '10/0' < 'A/0' and '0/FFFFFFFF' > '1/0': the trap the numbers avoid.
    expect('10/0' < 'A/0').toBe(true);
  });

  it('reads no position as 0 (nothing to wait for)', () => {
    expect(lsnValue(null)).toBe(0n);
    expect(lsnValue(undefined)).toBe(0n);
  });
});
