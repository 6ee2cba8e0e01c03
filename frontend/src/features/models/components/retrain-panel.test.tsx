import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { keys } from '../../../lib/query-keys'
import { retrainJob, session, staged } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubRoutes } from '../../../test/render'
import type { RetrainJob, Role } from '../../../types/api'
import { RetrainPanel } from './retrain-panel'

const registered = retrainJob(5, 'registered', {
  version: staged.canary,
  progress: `registered ${staged.canary} in shadow`,
  result: { version: staged.canary, holdout: { rows: 600, challenger_roc_auc: 0.9342, champion_roc_auc: 0.9011 } },
})
const failed = retrainJob(4, 'failed', {
  trigger: 'policy', requested_by: '', progress: 'failed',
  error: 'only 140 labelled predictions in the last 60 minutes; a retrain needs 500',
})
const everyStatus: RetrainJob[] = [
  retrainJob(9, 'queued'),
  retrainJob(8, 'training', { progress: 'training: trial 3 of 5 (best validation ROC-AUC 0.921)' }),
  retrainJob(7, 'evaluating', { progress: 'evaluating on the hold-out (600 rows)' }),
  registered,
  failed,
]

const render = (role: Role | null, routes: StubRoutes) => {
  const calls = stubApi(routes)
  renderWithClient(<RetrainPanel model="fraud" />, { client: testClient([[keys.session, session(role)]]) })
  return calls
}

const job = (id: number) => {
  const found = document.querySelector<HTMLElement>(`[data-testid="retrain-job"][data-job-id="${id}"]`)
  if (!found) throw new Error(`no job ${id}`)
  return found
}
/** Each step's name and state: done, current, todo or failed. */
const steps = (id: number) => [...job(id).querySelectorAll('li[data-state]')].map((li) => `${li.textContent}:${li.getAttribute('data-state')}`)

describe('RetrainPanel', () => {
  it('shows each job as steps, with its progress while it runs, its new version once registered, its error once failed', async () => {
    render(null, { 'GET /api/v1/models/fraud/retrain': everyStatus })
    await waitFor(() => expect(screen.getAllByTestId('retrain-job')).toHaveLength(5))
    expect(screen.getAllByTestId('retrain-job-status').map((s) => s.textContent)).toEqual(['Queued', 'Training', 'Evaluating', 'Registered', 'Failed'])

    expect(steps(9)).toEqual(['Queued:current', 'Training:todo', 'Evaluating:todo', 'Registered:todo'])
    expect(steps(8)).toEqual(['Queued:done', 'Training:current', 'Evaluating:todo', 'Registered:todo'])
    expect(steps(7)).toEqual(['Queued:done', 'Training:done', 'Evaluating:current', 'Registered:todo'])
    expect(steps(5)).toEqual(['Queued:done', 'Training:done', 'Evaluating:done', 'Registered:done'])
    expect(steps(4)).toEqual(['Queued:done', 'Training:todo', 'Evaluating:todo', 'Failed:failed'])

    expect(within(job(8)).getByTestId('retrain-job-progress')).toHaveTextContent('training: trial 3 of 5 (best validation ROC-AUC 0.921)')
    expect(within(job(5)).getByTestId('retrain-job-version')).toHaveTextContent(
      `New challenger ${staged.canary} in shadow · hold-out ROC-AUC 0.934 vs 0.901 for the champion on 600 rows`,
    )
    expect(within(job(4)).getByTestId('retrain-job-error')).toHaveTextContent('only 140 labelled predictions in the last 60 minutes; a retrain needs 500')
    expect(within(job(4)).getByText('Policy')).toBeInTheDocument()
    expect(within(job(5)).getByText('Manual')).toBeInTheDocument()
    expect(screen.queryByTestId('retrain-button')).toBeNull() // not an admin
  })

  it('says so when the model was never retrained', async () => {
    render('admin', { 'GET /api/v1/models/fraud/retrain': [] })
    expect(await screen.findByText('No retrain yet')).toBeInTheDocument()
  })

  it('lets an admin ask for a retrain: the queued job shows at once and is followed', async () => {
    let jobs: RetrainJob[] = [registered]
    const calls = render('admin', {
      'GET /api/v1/models/fraud/retrain': () => [200, jobs],
      'POST /api/v1/models/fraud/retrain': () => {
        jobs = [retrainJob(6, 'queued'), registered]
        return [202, jobs[0]]
      },
    })
    await waitFor(() => expect(screen.getAllByTestId('retrain-job')).toHaveLength(1))
    await userEvent.click(screen.getByTestId('retrain-button'))
    await waitFor(() => expect(screen.getAllByTestId('retrain-job')).toHaveLength(2))
    expect(screen.getAllByTestId('retrain-job-status')[0]).toHaveAttribute('data-status', 'queued')
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/api/v1/models/fraud/retrain', body: {} })
    // A job under way: a second one would be refused, so the button waits.
    await waitFor(() => expect(screen.getByTestId('retrain-button')).toBeDisabled())
    // No event announces a progress line: the list is read again while the job runs.
    jobs = [retrainJob(6, 'training', { progress: 'training: trial 1 of 5' }), registered]
    expect(await screen.findByText('training: trial 1 of 5', {}, { timeout: 4000 })).toHaveAttribute('data-testid', 'retrain-job-progress')
  })

  it('shows why a retrain is refused (409)', async () => {
    const reason = 'only 140 labelled predictions of fraud in the last 60 minutes (RETRAIN_MIN_LABELS is 500)'
    render('admin', {
      'GET /api/v1/models/fraud/retrain': [registered],
      'POST /api/v1/models/fraud/retrain': () => [409, { status: 409, title: 'Conflict', detail: reason }],
    })
    await screen.findByTestId('retrain-job')
    await userEvent.click(screen.getByTestId('retrain-button'))
    expect(await screen.findByTestId('retrain-error')).toHaveTextContent(reason)
    expect(screen.getByRole('alert')).toHaveTextContent(reason)
  })
})
