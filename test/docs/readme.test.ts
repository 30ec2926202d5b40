import fs from 'node:fs';
import path from 'node:path';

/** README.md's configuration table keeps up with src/config/env.ts. */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

it('documents every environment variable of src/config/env.ts in the README table', () => {
  const source = read('src/config/env.ts');
  const spec = /const spec = \{([\s\S]*?)\n\} as const;/.exec(source)?.[1];
  expect(spec).toBeDefined();
  const names = [...spec!.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  expect(names.length).toBeGreaterThan(5);
  const readme = read('README.md');
  const missing = [...names, 'TEST_DATABASE_URL'].filter(
    (name) => !new RegExp(`^\\| \`${name}\` +\\|`, 'm').test(readme),
  );
  expect(missing).toEqual([]);
});

it('links docs that exist', () => {
  const readme = read('README.md');
  for (const [, target] of readme.matchAll(/\]\(((?:docs|examples)\/[^)#]+)\)/g)) {
    expect(fs.existsSync(path.join(root, target))).toBe(true);
  }
});
