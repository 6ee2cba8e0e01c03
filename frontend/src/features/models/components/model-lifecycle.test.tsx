import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { LiveProvider } from '../../../lib/live/live-provider'
import { keys } from '../../../lib/query-keys'
import { useSelectedModel } from '../../../lib/use-selected-model'
import { cancerDetail, cancerEntry, comparisonPoint, fraudEntry, modelEvent, retrainJob, session, staged, stagedFraud, stagedStages, visit } from '../../../test/fixtures'
import { FakeSocket, openChannel } from '../../../test/fake-socket'
import { renderWithClient, stubApi, testClient, type StubCall } from '../../../test/render'
import type { ModelDetail, ModelEvent, Role } from '../../../types/api'
import ModelsView from './models-view'

/** The view as the app shows it: of the model the URL selects. */
function AtUrl() {
  return <ModelsView model={useSelectedModel()} />
}

/** The backend's state, which a test changes before the live channel says so. */
interface Server {
  fraud: ModelDetail
  events: ModelEvent[]
}

async function setup(role: Role | null, server: Server) {
  const calls = stubApi({
    'GET /api/v1/models': () => [200, [{ ...fraudEntry, stages: server.fraud.stages }, cancerEntry]],
    'GET /api/v1/models/fraud': () => [200, server.fraud],
    'GET /api/v1/models/cancer': cancerDetail,
    'GET /api/v1/models/fraud/comparison': () => [200, { model: 'fraud', stages: server.fraud.stages, points: [comparisonPoint(0), comparisonPoint(5)] }],
    'GET /api/v1/models/cancer/comparison': { model: 'cancer', stages: cancerEntry.stages, points: [] },
    'GET /api/v1/models/fraud/retrain': [retrainJob(5, 'registered', { version: staged.canary })],
    'GET /api/v1/models/cancer/retrain': [],
    'GET /api/v1/models/fraud/events': () => [200, server.events],
    'GET /api/v1/models/cancer/events': [],
  })
  renderWithClient(
    <LiveProvider url="ws://test/ws/live" WebSocketImpl={FakeSocket}>
      <AtUrl />
    </LiveProvider>,
    { client: testClient([[keys.session, session(role)]]) },
  )
  await openChannel(`ws://test/ws/live?model=${new URLSearchParams(window.location.search).get('model') ?? 'fraud'}`)
  return calls
}

const reads = (calls: StubCall[], path: string) => calls.filter((c) => c.method === 'GET' && c.path === path).length
const stageOf = (version: string) => document.querySelector(`[data-testid="version-row"][data-version="${version}"]`)?.getAttribute('data-stage')

describe('ModelsView: the selected model’s lifecycle', () => {
  it('shows the selected model’s versions, retrains and comparison, and asks a visitor to sign in to act', async () => {
    await setup(null, { fraud: stagedFraud, events: [] })
    const lifecycle = await screen.findByTestId('model-lifecycle')
    expect(lifecycle).toHaveAttribute('data-model', 'fraud')
    await waitFor(() => expect(within(lifecycle).getAllByTestId('version-row')).toHaveLength(4)) // the retired one folded away
    expect(within(lifecycle).getByTestId('retrain-panel')).toBeInTheDocument()
    expect(await within(lifecycle).findByTestId('gate-decision')).toHaveAttribute('data-decision', 'promote')
    expect(screen.getByTestId('lifecycle-sign-in')).toHaveTextContent('Promoting, rolling back and retraining need an admin key')
    for (const id of ['promote-button', 'rollback-button', 'retrain-button']) expect(screen.queryByTestId(id)).toBeNull()
  })

  it('follows the model picked in the URL', async () => {
    visit('/?model=cancer#/models')
    await setup('admin', { fraud: stagedFraud, events: [] })
    expect(await screen.findByTestId('model-lifecycle')).toHaveAttribute('data-model', 'cancer')
    await waitFor(() => expect(screen.getAllByTestId('version-row')).toHaveLength(1))
    expect(screen.getByTestId('version-row')).toHaveAttribute('data-stage', 'champion')
    expect(await screen.findByText('No challenger: retrain or put a version in shadow to compare')).toBeInTheDocument()
    expect(screen.queryByTestId('lifecycle-sign-in')).toBeNull()
    expect(screen.queryByTestId('rollback-button')).toBeNull() // cancer has no previous champion
  })

  it('reads the models, events, comparison and retrain jobs again on the live channel’s models message', async () => {
    const server: Server = { fraud: stagedFraud, events: [] }
    const calls = await setup('admin', server)
    const paths = ['/api/v1/models', '/api/v1/models/fraud', '/api/v1/models/fraud/events', '/api/v1/models/fraud/comparison', '/api/v1/models/fraud/retrain']
    await waitFor(() => expect(stageOf(staged.candidate)).toBe('candidate'))
    await screen.findByTestId('gate-decision') // the comparison is drawn, its marks have read the events
    await waitFor(() => expect(paths.map((p) => reads(calls, p))).toEqual([1, 1, 1, 1, 1]))

    // Someone else promotes the candidate; the backend says so on the channel.
    const promoted = modelEvent(60, 'promoted', '2026-11-24T09:30:00Z', { version: staged.candidate, message: `${staged.candidate} promoted to champion` })
    server.fraud = {
      ...stagedFraud,
      stages: { ...stagedStages, champion: staged.candidate, previous_champion: staged.champion },
      history: stagedFraud.history.map((v) =>
        v.version === staged.candidate ? { ...v, stage: 'champion' } : v.version === staged.champion ? { ...v, stage: 'previous' } : v.stage === 'previous' ? { ...v, stage: 'candidate' } : v,
      ),
    }
    server.events = [promoted]
    FakeSocket.last.receive({ type: 'models', data: { id: 60, created_at: promoted.created_at, model: 'fraud', kind: 'promoted', version: staged.candidate, message: promoted.message } })

    await waitFor(() => expect(stageOf(staged.candidate)).toBe('champion'))
    expect(stageOf(staged.champion)).toBe('previous')
    expect(screen.getByTestId('rollback-button')).toHaveTextContent('Roll back to v…f37f')
    await waitFor(() => expect(paths.map((p) => reads(calls, p))).toEqual([2, 2, 2, 2, 2])) // each once more, no more
  })
})
