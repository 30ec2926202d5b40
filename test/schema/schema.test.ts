import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { buildServedSchema, printServedSchema, SCHEMA_FILE } from '../../src/schema/build-schema';

const contractCopy = (file: string) => path.join(__dirname, '..', 'contract', file);
const sharedContract = (file: string) =>
  path.join(__dirname, '..', '..', '..', 'shared', 'contract', file);

describe('schema artifacts', () => {
  const served = buildServedSchema();

  // contract-next.graphql is contract.graphql plus the operations of R24-R27: both are served.
  for (const file of ['contract.graphql', 'contract-next.graphql']) {
    it(`serves every type, field, argument and enum value of ${file}`, () => {
      const contract = buildSchema(readFileSync(contractCopy(file), 'utf8'));
      expect(findBreakingChanges(contract, served)).toEqual([]);
    });

    it(`keeps test/contract/${file} identical to ../shared/contract (when present)`, () => {
      if (!existsSync(sharedContract(file))) return;
      expect(readFileSync(contractCopy(file), 'utf8')).toBe(
        readFileSync(sharedContract(file), 'utf8'),
      );
    });
  }

  it('matches the committed src/schema/schema.graphql (run `npm run schema:emit`)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printServedSchema(served));
  });
});
