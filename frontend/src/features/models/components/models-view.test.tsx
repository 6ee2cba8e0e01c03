import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { keys } from '../../../lib/query-keys'
import { useSelectedModel } from '../../../lib/use-selected-model'
import { alert, cancerEntry, drift, fraudEntry, session, stagedFraud, stagedStages, stats } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import type { DriftRun, DriftSummary } from '../../../types/api'
import ModelsView from './models-view'

const run: DriftRun = { ...(drift.run as DriftRun), finished_at: new Date().toISOString() }
const calm: DriftSummary = {
  status: 'ok', run, dataset_drift: false, drift_share: 0, drifted_features: [], n_features: 13, rule: null, prediction_drift: null,
}
const drifting: DriftSummary = { ...calm, dataset_drift: true, drift_share: 0.6, drifted_features: ['mean radius', 'mean texture'] }

const routes = {
  'GET /api/v1/models': [fraudEntry, cancerEntry],
  'GET /api/v1/models/fraud/drift/summary': calm,
  'GET /api/v1/models/fraud/alerts': { items: [], counts: { open: 0, acknowledged: 0, resolved: 2 } },
  'GET /api/v1/models/cancer/drift/summary': drifting,
  'GET /api/v1/models/cancer/alerts': { items: [alert(4)], counts: { open: 3, acknowledged: 0, resolved: 0 } },
  'GET /api/v1/models/fraud/stats': stats(1234),
  'GET /api/v1/models/cancer/stats': stats(285, { last_minute: { ...stats().last_minute, count: 0 } }),
}

/** The view as the app shows it: of the model the URL selects. */
function AtUrl() {
  return <ModelsView model={useSelectedModel()} />
}

const render = () => renderWithClient(<AtUrl />, { client: testClient([[keys.session, session(null)]]) })
const card = (name: string) => document.querySelector<HTMLElement>(`li[data-model="${name}"]`)!

describe('ModelsView', () => {
  it('lists every model with its version, threshold, reference ROC-AUC, drift and open alerts', async () => {
    const calls = stubApi(routes)
    render()
    await screen.findByRole('list', { name: 'Registered models' })
    await waitFor(() => expect(within(card('cancer')).getByTestId('model-drift')).toHaveTextContent('Dataset drift'))
    const cancer = within(card('cancer'))
    expect(cancer.getByText('Breast-cancer biopsies, logistic regression via skl2onnx')).toBeInTheDocument()
    expect(cancer.getByText('Binary classification')).toBeInTheDocument()
    expect(cancer.getByText(cancerEntry.latest!.version)).toBeInTheDocument()
    expect(cancer.getByText('· onnx')).toBeInTheDocument()
    expect(cancer.getByText(`${cancerEntry.latest!.features.length} features`)).toBeInTheDocument()
    expect(await cancer.findByTestId('model-traffic')).toHaveTextContent('No traffic')
    expect(cancer.getByText('0.500')).toBeInTheDocument()
    expect(cancer.getByText('1.000')).toBeInTheDocument() // ROC-AUC 0.9997 on its reference
    expect(cancer.getByText('2')).toBeInTheDocument() // versions
    expect(await cancer.findByTestId('model-open-alerts')).toHaveTextContent('3 open')

    const fraud = within(card('fraud'))
    expect(fraud.getByText('0.916')).toBeInTheDocument()
    expect(await fraud.findByTestId('model-drift')).toHaveTextContent('No drift')
    expect(await fraud.findByTestId('model-open-alerts')).toHaveTextContent('None')
    expect(await fraud.findByTestId('model-traffic')).toHaveTextContent(`${stats().last_minute.count} predictions`)
    expect(fraud.getByText('Selected')).toBeInTheDocument() // no ?model= in the URL: the default model, listed first
    // Every model's figures come from its own routes, under the keys the other views share.
    const paths = calls.map((c) => c.path)
    expect(paths).toContain('/api/v1/models/fraud/drift/summary')
    for (const unscoped of ['/api/v1/drift/summary', '/api/v1/alerts', '/api/v1/stats']) expect(paths).not.toContain(unscoped)
  })

  it('reads the list again when opened: a model registered elsewhere shows up', async () => {
    stubApi(routes)
    renderWithClient(<AtUrl />, { client: testClient([[keys.session, session(null)], [keys.models, [fraudEntry]]]) })
    await waitFor(() => expect(card('cancer')).not.toBeNull())
    expect(card('fraud')).not.toBeNull()
  })

  it('selects a model by its name (its Overview) or its Drift button', async () => {
    stubApi(routes)
    window.history.replaceState(null, '', '/#/models')
    render()
    await screen.findByRole('list', { name: 'Registered models' })
    await userEvent.click(within(card('cancer')).getByRole('button', { name: 'cancer' }))
    expect(window.location.search).toBe('?model=cancer')
    expect(window.location.hash).toBe('#/overview')
    expect(within(card('cancer')).getByText('Selected')).toBeInTheDocument()

    await userEvent.click(within(card('fraud')).getByRole('button', { name: 'Drift of fraud' }))
    expect(window.location.search).toBe('')
    expect(window.location.hash).toBe('#/drift')
  })

  it('shows the champion, not a newer candidate, and the challenger beside it; Versions keeps the Models view', async () => {
    stubApi({ ...routes, 'GET /api/v1/models': [{ ...fraudEntry, latest: stagedFraud.latest, versions: 5, stages: stagedStages }, cancerEntry] })
    window.history.replaceState(null, '', '/#/models')
    render()
    await screen.findByRole('list', { name: 'Registered models' })
    const fraud = within(card('fraud'))
    expect(fraud.getByText('Champion')).toBeInTheDocument()
    expect(fraud.getByText(fraudEntry.champion!.version)).toBeInTheDocument()
    expect(fraud.queryByText(stagedFraud.latest!.version)).toBeNull()
    expect(fraud.getByTestId('model-challenger')).toHaveTextContent('Canary 25% v…ee12')
    expect(within(card('cancer')).queryByTestId('model-challenger')).toBeNull()

    await userEvent.click(within(card('cancer')).getByRole('button', { name: 'Versions of cancer' }))
    expect(window.location.search).toBe('?model=cancer')
    expect(window.location.hash).toBe('#/models')
  })

  it('asks a visitor to sign in with an admin key before registering', async () => {
    stubApi(routes)
    render()
    const prompt = await screen.findByTestId('register-sign-in')
    expect(prompt).toHaveTextContent('Registering a model needs an admin key (ADMIN_API_KEYS).')
    expect(within(prompt).getByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Register a model' })).toBeNull()
  })

  it('says no model is registered yet, links to itself, and offers the registration', async () => {
    stubApi({ ...routes, 'GET /api/v1/models': [] })
    render()
    expect(await screen.findByTestId('no-model')).toHaveTextContent('No model registered yet — register one in Models')
    expect(screen.getByRole('link', { name: 'Models' })).toHaveAttribute('href', '#/models')
    expect(screen.getByTestId('register-sign-in')).toBeInTheDocument()
    expect(screen.queryByTestId('model-lifecycle')).toBeNull()
  })
})
