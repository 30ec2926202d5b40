import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { buildServedSchema, printServedSchema, SCHEMA_FILE } from '../../src/schema/build-schema';

const CONTRACT_COPY = path.join(__dirname, '..', 'contract', 'contract.graphql');
const SHARED_CONTRACT = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'contract',
  'contract.graphql',
);

describe('schema artifacts', () => {
  const served = buildServedSchema();

  it('serves every type, field, argument and enum value of the public contract', () => {
    const contract = buildSchema(readFileSync(CONTRACT_COPY, 'utf8'));
    expect(findBreakingChanges(contract, served)).toEqual([]);
  });

  it('keeps test/contract/contract.graphql identical to ../shared/contract (when present)', () => {
    if (!existsSync(SHARED_CONTRACT)) return;
    expect(readFileSync(CONTRACT_COPY, 'utf8')).toBe(readFileSync(SHARED_CONTRACT, 'utf8'));
  });

  it('matches the committed src/schema/schema.graphql (run `npm run schema:emit`)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printServedSchema(served));
  });
});
