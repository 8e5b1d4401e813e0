// Runs ESLint with an inline config, so the repository's top level stays as the brief lists it
// (no eslint.config.js there). Exits non-zero on any problem.
import { ESLint } from 'eslint';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: tseslint.config(
    { ignores: ['dist/**', 'out/**', 'node_modules/**'] },
    {
      files: ['src/**/*.ts', 'test/**/*.ts'],
      extends: [js.configs.recommended, ...tseslint.configs.recommended],
      rules: {
        '@typescript-eslint/no-explicit-any': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      },
    },
  ),
});
const results = await eslint.lintFiles(['src', 'test']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text) process.stdout.write(text);
const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
process.stdout.write(`eslint: ${results.length} files, ${problems} problems\n`);
process.exitCode = problems > 0 ? 1 : 0;
