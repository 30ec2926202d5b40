import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-bench/',
      'node_modules/',
      '.data/',
      'coverage/',
      'test-results/',
      '**/generated/',
      '*.js',
      '*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // type-graphql and TypeORM return loosely typed rows; tests read JSON responses.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
    },
  },
  // Layers point one way (docs/architecture.md): jobs → resolvers → services → context →
  // permissions → database, entities, shared. server/ and ops/ wire the process together (server
  // mounts ops' routes); nothing below imports them. No exceptions, not even for types.
  ...layers({
    ops: ['server'],
    jobs: ['server', 'ops'],
    resolvers: ['server', 'ops', 'jobs'],
    schema: ['server', 'ops', 'jobs'],
    services: ['server', 'ops', 'jobs', 'resolvers'],
    mail: ['server', 'ops', 'jobs', 'resolvers'],
    'ad-servers': ['server', 'ops', 'jobs', 'resolvers'],
    context: ['server', 'ops', 'jobs', 'resolvers', 'services'],
    permissions: ['server', 'ops', 'jobs', 'resolvers', 'services', 'context'],
    database: ['server', 'ops', 'jobs', 'resolvers', 'services', 'context'],
    entities: ['server', 'ops', 'jobs', 'resolvers', 'services', 'context'],
    config: ['server', 'ops', 'jobs', 'resolvers', 'services', 'context'],
    shared: ['server', 'ops', 'jobs', 'resolvers', 'services', 'context'],
  }),
);

/**
 * One config per folder of src/ (a later config would replace an earlier one's rule): the
 * folders it may not import from, types included.
 */
function layers(forbiddenByFolder) {
  return Object.entries(forbiddenByFolder).map(([folder, forbidden]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((dir) => ({
            // Relative paths only: `@apollo/server` is a package, not src/server.
            regex: `^(\\.\\./)+${dir}(/|$)`,
            message: `src/${folder} is below ${dir}/ (docs/architecture.md, layers)`,
          })),
        },
      ],
    },
  }));
}
