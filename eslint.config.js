import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'import-x/no-cycle': 'error',
      'import-x/no-duplicates': 'error',
    },
  },
  {
    // Outside a folder, its internals are reached only through its index.ts (see ARCHITECTURE.md).
    // Tests may reach the internals of the module they test.
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(?:\\.\\./)*(?:src/)?(backup|planning|storage|targets|client|runtime|runtime-protocol|state|engine|api|api-contract|source-server|runtime-hub|sql|assessment|sizing|threads)/(?!index\\.js$).+',
              message: 'Import a module folder through its public face, its index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    // The web app runs in the browser: no Node module, and of the rest of sqlmig only the API
    // contract's types (type imports are erased, so no zod reaches the bundle).
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^node:',
              message: 'The web app runs in the browser: no Node module.',
            },
            {
              regex: '^\\.\\./(?:\\.\\./)*api-contract/index\\.js$',
              allowTypeImports: true,
              message: "The web app imports the API contract's types only (import type).",
            },
            {
              regex:
                '^\\.\\./(?:\\.\\./)*(?:backup|planning|storage|targets|client|runtime|runtime-protocol|service|sql|cli|assessment|sizing|threads|api-contract/(?!index\\.js$))',
              message:
                'The web app uses only the API contract (../api-contract/index.js), as types.',
            },
          ],
        },
      ],
    },
  },
  {
    // Nothing imports the build's configuration, so it cannot be in a cycle; and import-x fails
    // while following vite's own type declarations ("node with invalid interface loaded as resolver").
    files: ['vite.config.ts'],
    rules: { 'import-x/no-cycle': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
