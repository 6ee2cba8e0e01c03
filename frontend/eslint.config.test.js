/**
 * The boundary rules of eslint.config.js at work: each forbidden import is reported, and
 * the allowed ones are not (a resolver that found nothing would pass everything silently).
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

/** The rules `code` breaks as the file `path` (which need not exist). */
async function broken(path, code) {
  const [result] = await eslint.lintText(code, { filePath: path })
  return result.messages.map((m) => m.ruleId ?? m.message)
}

const BOUNDARY = 'import-x/no-restricted-paths'

// ESLint and the TypeScript parser load once, in the first test: a ceiling, not a wait.
describe('import boundaries', { timeout: 60_000 }, () => {
  it('a feature imports no other feature, relatively or dynamically', async () => {
    const file = 'src/features/overview/components/probe.tsx'
    expect(await broken(file, "export { TEST_LABELS } from '../../drift/drift-constants'\n")).toEqual([BOUNDARY])
    expect(await broken(file, "export const view = () => import('../../alerts/components/alerts-view')\n")).toEqual([BOUNDARY])
  })

  it('a feature imports neither the app nor a sibling through src/features', async () => {
    const file = 'src/features/drift/probe.ts'
    expect(await broken(file, "export { VIEWS } from '../../app/views'\n")).toEqual([BOUNDARY])
    expect(await broken(file, "export { default } from '../predict/components/predict-view'\n")).toEqual([BOUNDARY])
  })

  it('shared code imports no feature', async () => {
    expect(await broken('src/lib/probe.ts', "export { TEST_LABELS } from '../features/drift/drift-constants'\n")).toEqual([BOUNDARY])
    expect(await broken('src/components/ui/probe.tsx', "export { VIEWS } from '../../app/views'\n")).toEqual([BOUNDARY])
  })

  it('a feature imports its own modules and shared code', async () => {
    const code = "export { TEST_LABELS } from '../drift-constants'\nexport { Card } from '../../../components/ui/card'\nexport { api } from '../../../lib/api-client'\n"
    expect(await broken('src/features/drift/components/probe.tsx', code)).toEqual([])
  })
})
