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
  // Layers point one way (docs/architecture.md): resolvers → services → context → permissions →
  // database, entities, shared. server/ and ops/ wire the process together; nothing imports them.
  // Type-only imports may look up (a shield rule reads the request context's type).
  ...layers({
    resolvers: ['server', 'ops'],
    schema: ['server', 'ops'],
    services: ['server', 'ops', 'resolvers'],
    mail: ['server', 'ops', 'resolvers'],
    'ad-servers': ['server', 'ops', 'resolvers'],
    context: ['server', 'ops', 'resolvers', 'services'],
    permissions: ['server', 'ops', 'resolvers', 'services'],
    database: ['server', 'ops', 'resolvers', 'services'],
    entities: ['server', 'ops', 'resolvers', 'services'],
    config: ['server', 'ops', 'resolvers', 'services'],
    shared: ['server', 'ops', 'resolvers', 'services'],
  }),
);

/**
 * One config per folder of src/ (a later config would replace an earlier one's rule): the
 * folders it may not import from, except for types.
 */
function layers(forbiddenByFolder) {
  return Object.entries(forbiddenByFolder).map(([folder, forbidden]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((dir) => ({
            group: [`**/${dir}/**`, `**/${dir}`],
            message: `src/${folder} is below ${dir}/ (docs/architecture.md, layers)`,
            allowTypeImports: true,
          })),
        },
      ],
    },
  }));
}
