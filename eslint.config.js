// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sdks = ['discord.js', '@slack/bolt', '@slack/web-api', '@slack/socket-mode'];
const bridges = ['imessage', 'slack', 'discord'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Frameworks (fastify, bolt) take async handlers; an async function without await is not a bug here.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layer rule: the core (everything under src/ but src/app) knows no platform, no simulator and not
  // the composition root that wires them together; no bridge imports another.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: sdks.map((name) => ({ name, message: 'The core (src/ outside src/app) knows no platform SDK.' })),
          patterns: [
            {
              group: ['**/bridges', '**/bridges/**'],
              message: 'The core never imports a bridge; bridges import the core.',
            },
            {
              group: ['**/sandbox', '**/sandbox/**'],
              message: 'The core never imports the simulators; tests and the demo (src/app/demo) do.',
            },
            {
              group: ['./app', './app/**', '../app', '../app/**', '**/src/app', '**/src/app/**'],
              message:
                'The core never imports the composition root (src/app); src/app imports the core and passes in what it needs.',
            },
          ],
        },
      ],
    },
  },
  ...bridges.map((id) => ({
    files: [`bridges/${id}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: bridges
            .filter((other) => other !== id)
            .map((other) => ({
              group: [`**/bridges/${other}/**`, `../${other}/**`],
              message: 'A bridge never imports another bridge.',
            })),
        },
      ],
    },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'sandbox/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
);
