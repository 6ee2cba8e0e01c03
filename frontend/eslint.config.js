/**
 * Lint rules (`npm run lint`): ESLint's and typescript-eslint's recommended rules, the
 * rules of React hooks, and bulletproof-react's boundaries: a feature imports no other
 * feature, and shared code (api, components, config, hooks, lib, types) imports neither
 * a feature nor the app. eslint.config.test.js shows each boundary rule firing.
 */
import { readdirSync } from 'node:fs'
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import importX, { createNodeResolver } from 'eslint-plugin-import-x'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

const SHARED = ['./src/api', './src/components', './src/config', './src/hooks', './src/lib', './src/types']

const boundaries = [
  ...features.map((feature) => ({
    target: `./src/features/${feature}`,
    from: './src/features',
    except: [`./${feature}`],
    message: 'Features do not import from each other: move what both need to src/components, src/hooks or src/lib.',
  })),
  {
    target: './src/features',
    from: './src/app',
    message: 'A feature does not import the app; the app imports the features.',
  },
  {
    target: SHARED,
    from: ['./src/features', './src/app'],
    message: 'Shared code imports neither a feature nor the app.',
  },
]

export default defineConfig([
  globalIgnores(['dist', 'coverage', 'e2e', 'src/api/schema.d.ts']),
  { files: ['**/*.{js,ts,tsx}'], extends: [js.configs.recommended] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
  },
  { files: ['*.js'], languageOptions: { globals: globals.node } },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.d.ts', '.js', '.json'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: boundaries }] },
  },
])
