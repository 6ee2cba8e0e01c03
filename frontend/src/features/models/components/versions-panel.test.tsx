import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { keys } from '../../../lib/query-keys'
import { comparisonPoint, modelEvent, session, staged, stagedFraud, stagedStages, stagedVersion } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubRoutes } from '../../../test/render'
import type { ModelDetail, Role, StageChange } from '../../../types/api'
import { VersionsPanel } from './versions-panel'

const render = (role: Role | null, detail: ModelDetail = stagedFraud, routes: StubRoutes = {}) => {
  const calls = stubApi(routes)
  const client = testClient([[keys.session, session(role)]])
  renderWithClient(<VersionsPanel model={detail} newest={comparisonPoint(10)} />, { client })
  return { calls, client }
}

const row = (version: string) => {
  const found = document.querySelector<HTMLElement>(`[data-testid="version-row"][data-version="${version}"]`)
  if (!found) throw new Error(`no row for ${version}`)
  return within(found)
}

/** The text of each of a row's figures, by test id. */
const figures = (version: string) =>
  ['stage-badge', 'version-traffic', 'version-training-auc', 'version-realized-auc', 'version-estimated-auc'].map((id) => row(version).getByTestId(id).textContent)

const changed = (message: string, extra: Partial<StageChange['stages']> = {}): StageChange => ({
  model: 'fraud', stages: { ...stagedStages, ...extra }, event: modelEvent(50, 'promoted', '2026-11-24T09:30:00Z', { message }),
})

describe('VersionsPanel', () => {
  it('lists every version with its stage, traffic share and ROC-AUC: training, and realized and estimated from the newest comparison', async () => {
    render(null)
    await userEvent.click(screen.getByRole('button', { name: 'Show retired (1)' }))
    const panel = screen.getByTestId('versions-panel')
    expect([...panel.querySelectorAll('[data-testid="version-row"]')].map((r) => r.getAttribute('data-stage'))).toEqual([
      'candidate', 'canary', 'champion', 'previous', 'retired',
    ])
    expect(figures(staged.champion)).toEqual(['Champion', '75%', '0.916', '0.905', '0.900'])
    expect(figures(staged.canary)).toEqual(['Canary 25%', '25%', '0.934', '0.931', '0.925'])
    expect(figures(staged.previous)).toEqual(['Previous', '—', '0.905', '—', '—'])
    expect(figures(staged.retired)).toEqual(['Retired', '—', '0.871', '—', '—'])
    expect(figures(staged.candidate)).toEqual(['Candidate', '—', '0.888', '—', '—'])
    // The canary came from a retrain: its hold-out against the champion of the time.
    expect(row(staged.canary).getByText('Retrained')).toBeInTheDocument()
    expect(row(staged.canary).getByText(/hold-out ROC-AUC 0\.934 vs 0\.901 for the champion on 600 rows/)).toBeInTheDocument()
    expect(row(staged.retired).getByText(/retired .* ago/)).toBeInTheDocument()
  })

  it('gives a shadow no traffic and the champion all of it', () => {
    const shadowed: ModelDetail = {
      ...stagedFraud,
      stages: { ...stagedStages, mode: 'shadow', share: null },
      history: stagedFraud.history.map((v) => (v.stage === 'canary' ? { ...v, stage: 'shadow' } : v)),
    }
    render(null, shadowed)
    expect(figures(staged.champion).slice(0, 2)).toEqual(['Champion', '100%'])
    expect(figures(staged.canary).slice(0, 2)).toEqual(['Shadow', '0% (shadow)'])
  })

  it('shows no action to anyone but an admin', () => {
    render('predict')
    const panel = screen.getByTestId('versions-panel')
    expect(within(panel).getAllByRole('button').map((b) => b.textContent)).toEqual(['Show retired (1)'])
    expect(screen.queryByTestId('promote-button')).toBeNull()
    expect(screen.queryByTestId('rollback-button')).toBeNull()
  })

  it('gives an admin promote, shadow, canary and retire on each version but the champion and the retired ones', async () => {
    render('admin')
    expect(row(staged.champion).queryAllByRole('button')).toEqual([])
    expect(row(staged.candidate).getAllByRole('button').map((b) => b.textContent)).toEqual(['Promote', 'Shadow', 'Canary', 'Retire'])
    await userEvent.click(screen.getByTestId('retired-toggle'))
    expect(row(staged.retired).queryAllByRole('button')).toEqual([]) // retired: nothing to do with it but read it
    expect(row(staged.retired).getByText(/retired .* ago/)).toBeInTheDocument()
    expect(screen.getAllByTestId('promote-button')).toHaveLength(3)
  })

  it('hides retired versions behind a toggle that counts them', async () => {
    const retiredToo = stagedVersion('20261120-060000-dead0002', 'retired', { retired_at: '2026-11-22T10:00:00+00:00' })
    render(null, { ...stagedFraud, history: [...stagedFraud.history, retiredToo] })
    const stages = () => screen.getAllByTestId('version-row').map((r) => r.getAttribute('data-stage'))
    expect(stages()).toEqual(['candidate', 'canary', 'champion', 'previous'])
    const toggle = screen.getByTestId('retired-toggle')
    expect(toggle).toHaveTextContent('Show retired (2)')
    expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await userEvent.click(toggle)
    expect(stages()).toEqual(['candidate', 'canary', 'champion', 'previous', 'retired', 'retired'])
    expect(toggle).toHaveTextContent('Hide retired')
    expect(toggle).toHaveAttribute('aria-expanded', 'true')
    await userEvent.click(toggle)
    expect(stages()).toHaveLength(4)
  })

  it('has no toggle when no version is retired', () => {
    render(null, { ...stagedFraud, history: stagedFraud.history.filter((v) => v.stage !== 'retired') })
    expect(screen.queryByTestId('retired-toggle')).toBeNull()
  })

  it('promotes after a confirmation, posting the reason to the version’s promote route', async () => {
    const { calls } = render('admin', stagedFraud, {
      'POST /api/v1/models/fraud/versions/20261124-100000-cafe0002/promote': () => [200, changed(`${staged.candidate} promoted to champion`)],
    })
    await userEvent.click(row(staged.candidate).getByRole('button', { name: `Promote ${staged.candidate}` }))
    const dialog = screen.getByRole('alertdialog')
    expect(dialog).toHaveTextContent('Promote v…0002 to champion?')
    expect(dialog).toHaveTextContent(`The champion ${staged.champion} becomes the previous one`)
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]) // nothing yet: asked first
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'better on the newest fraud')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Promote' }))
    expect(screen.queryByRole('alertdialog')).toBeNull()
    await waitFor(() => expect(row(staged.candidate).getByRole('status')).toHaveTextContent(`${staged.candidate} promoted to champion`))
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0]).toMatchObject({
      path: '/api/v1/models/fraud/versions/20261124-100000-cafe0002/promote',
      body: { reason: 'better on the newest fraud' },
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
    })
  })

  it('posts nothing when the confirmation is cancelled', async () => {
    const { calls } = render('admin')
    await userEvent.click(row(staged.candidate).getByTestId('promote-button'))
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }))
    await userEvent.click(row(staged.candidate).getByTestId('promote-button'))
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
  })

  it('shows the sentence of a refused promotion (409) in the version’s row', async () => {
    const detail = `${staged.candidate} takes other inputs than the champion ${staged.champion}: a challenger scores the champion's requests`
    render('admin', stagedFraud, {
      'POST /api/v1/models/fraud/versions/20261124-100000-cafe0002/promote': () => [409, { status: 409, title: 'Conflict', detail }],
    })
    await userEvent.click(row(staged.candidate).getByTestId('promote-button'))
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Promote' }))
    expect(await row(staged.candidate).findByRole('alert')).toHaveTextContent(detail)
    expect(row(staged.candidate).getByTestId('stage-error')).toHaveTextContent(detail)
    expect(row(staged.previous).queryByRole('alert')).toBeNull()
  })

  it('puts a version on a canary with the share typed, in shadow, or retires it, each on its route', async () => {
    const { calls } = render('admin', stagedFraud, {
      'POST /api/v1/models/fraud/versions/20261124-100000-cafe0002/canary': () => [200, changed('canary')],
      'POST /api/v1/models/fraud/versions/20261122-080000-a1d0a1d0/shadow': () => [200, changed('shadow')],
      'POST /api/v1/models/fraud/versions/20261121-070000-dead0001/promote': () => [200, changed('promoted')],
      'POST /api/v1/models/fraud/versions/20261122-080000-a1d0a1d0/retire': () => [200, changed('retired')],
    })
    const share = row(staged.candidate).getByTestId('canary-share')
    expect(share).toHaveValue(20) // 20% unless told otherwise
    await userEvent.clear(share)
    expect(row(staged.candidate).getByTestId('canary-button')).toBeDisabled() // no share, no canary
    await userEvent.type(share, '10')
    await userEvent.click(row(staged.candidate).getByTestId('canary-button'))
    await userEvent.click(row(staged.previous).getByTestId('shadow-button'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2))
    await userEvent.click(row(staged.previous).getByTestId('retire-button'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(3))
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path.split('/').slice(-2).join('/'), c.body])).toEqual([
      ['20261124-100000-cafe0002/canary', { share: 0.1, reason: '' }],
      ['20261122-080000-a1d0a1d0/shadow', undefined],
      ['20261122-080000-a1d0a1d0/retire', undefined],
    ])
  })

  it('rolls the model back to its previous champion after a confirmation; without one the button says why it is off', async () => {
    const { calls } = render('admin', stagedFraud, {
      'POST /api/v1/models/fraud/rollback': () => [200, changed(`rolled back to ${staged.previous}`)],
    })
    const rollback = screen.getByTestId('rollback-button')
    expect(rollback).toHaveTextContent('Roll back to v…a1d0')
    await userEvent.click(rollback)
    expect(screen.getByRole('alertdialog')).toHaveTextContent('Roll fraud back to v…a1d0?')
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Roll back' }))
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/api/v1/models/fraud/rollback', body: undefined }))
  })

  it('offers no Roll back when there is no previous champion to go back to', () => {
    render('admin', { ...stagedFraud, stages: { ...stagedStages, previous_champion: null } })
    expect(screen.queryByTestId('rollback-button')).toBeNull()
    expect(screen.getAllByTestId('promote-button')).toHaveLength(3) // the versions' own actions stay
  })
})
