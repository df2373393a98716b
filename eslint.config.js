import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-bench/',
      'node_modules/',
      'data/',
      'coverage/',
      'test-artifacts/',
      'migrations/',
      'src/sandbox/public/vendor/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Prettier (printWidth 120) lays the code out; strings and templates it cannot break are split by hand.
      // Only a line with a URL may run longer (a URL cannot be broken).
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@larksuiteoapi/*'], message: 'Only src/feishu/ may import the Feishu SDK.' }],
        },
      ],
    },
  },
  {
    files: ['src/feishu/**', 'test/**', 'src/sandbox/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', 'src/sandbox/public/**', 'src/dashboard/public/**'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        console: 'readonly',
        process: 'readonly',
        EventSource: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        localStorage: 'readonly',
        location: 'readonly',
        history: 'readonly',
        setInterval: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
