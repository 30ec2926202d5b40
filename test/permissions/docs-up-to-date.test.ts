import fs from 'node:fs';
import path from 'node:path';
import { renderPermissionMatrix } from '../../scripts/print-permission-matrix';

/** docs/permissions.md is generated from the shield map; this fails when it is stale. */
describe('docs/permissions.md', () => {
  it('matches what `npm run docs:permissions` generates from the shield map', () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../docs/permissions.md'), 'utf8');
    const generated = renderPermissionMatrix();
    if (committed !== generated) {
      throw new Error(
        'docs/permissions.md is out of date with src/permissions/permission-map.ts: ' +
          'run `npm run docs:permissions` and commit the result.',
      );
    }
  });

  it('lists every Query and Mutation field of the shield map', () => {
    const generated = renderPermissionMatrix();
    const { permissionRules } = jest.requireActual('../../src/permissions/permission-map');
    for (const type of ['Query', 'Mutation']) {
      for (const field of Object.keys(permissionRules[type])) {
        expect(generated).toContain(`| \`${field}\` |`);
      }
    }
  });
});
