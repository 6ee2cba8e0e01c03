import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { SignInDialog } from '../../../components/sign-in-dialog'
import { keys } from '../../../lib/query-keys'
import { cancerVersion, fraudVersion, session } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import { ADMIN_KEY, sessionApi } from '../../../test/session-api'
import PredictView from './predict-view'

const prediction = { prediction_id: '0b7e4c1e-0000-4f57-9d4e-3a8c9a8b1c2d', score: 0.87, decision: true, threshold: 0.1017, model: 'fraud', model_version: 'v1', stage: 'champion', latency_ms: 2.4 }
const explanation = { model: 'fraud', model_version: 'v1', score: 0.87, base_value: -3.5, margin: 1.9, contributions: { amount: 2.5, merchant_category: 1.2, card_present: -0.3 } }
const fraudRoutes = { 'GET /api/v1/models/fraud/model': fraudVersion, 'POST /api/v1/models/fraud/predict': prediction, 'POST /api/v1/models/fraud/explain': explanation }

describe('PredictView', () => {
  it('builds the form from the model schema and sends typed values to predict and explain', async () => {
    const calls = stubApi(fraudRoutes)
    renderWithClient(<PredictView model="fraud" />)
    const amount = await screen.findByLabelText('Amount (USD)')
    expect(amount).toHaveValue(84.5)
    expect(screen.getByLabelText('Merchant category')).toHaveValue('grocery')
    expect(screen.getByLabelText('Card present')).toBeChecked()

    await userEvent.clear(amount)
    await userEvent.type(amount, '2400')
    await userEvent.selectOptions(screen.getByLabelText('Merchant category'), 'electronics')
    await userEvent.click(screen.getByLabelText('Card present'))
    await userEvent.click(screen.getByRole('button', { name: 'Score' }))

    expect(await screen.findByTestId('model-score')).toHaveTextContent('87.0%')
    expect(screen.getByText('Positive')).toBeInTheDocument()
    const sent = { amount: 2400, merchant_category: 'electronics', card_present: false }
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/models/fraud/predict', sent],
      ['/api/v1/models/fraud/explain', sent],
    ]))
    const bars = screen.getByTestId('shap-bars')
    // Each bar names its feature from the schema with the value scored, largest effect first.
    expect(within(bars).getAllByTestId('shap-label').map((l) => l.textContent)).toEqual([
      'Amount (USD) = $2,400',
      'Merchant category = Electronics',
      'Card present = No',
    ])
    expect(bars.querySelector('[data-feature="card_present"]')).toHaveTextContent('−0.300')
    expect(bars.querySelector('[data-feature="amount"]')).toHaveTextContent('+2.500')
    expect(screen.getByTestId('shap-unit')).toHaveTextContent('Each bar: the feature’s contribution to the score, in log-odds; + pushes towards the positive class, − away from it.')
    const fills = within(bars).getAllByTestId('shap-bar').map((b) => b.getAttribute('data-fill'))
    expect(fills).toEqual(['#f43f5e', '#f43f5e', '#34d399'])
  })

  it('shows a validation error next to its field', async () => {
    stubApi({
      ...fraudRoutes,
      'POST /api/v1/models/fraud/predict': () => [422, { detail: 'amount: Input should be greater than or equal to 0.01', errors: [{ field: 'amount', message: 'Input should be greater than or equal to 0.01' }] }],
    })
    renderWithClient(<PredictView model="fraud" />)
    const amount = await screen.findByLabelText('Amount (USD)')
    await userEvent.clear(amount)
    await userEvent.type(amount, '-5')
    await userEvent.click(screen.getByRole('button', { name: 'Score' }))
    expect(await screen.findByText('Input should be greater than or equal to 0.01')).toBeInTheDocument()
    expect(amount).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByRole('alert')).toHaveTextContent('Could not score this input')
  })
})

describe('PredictView memory', () => {
  it('keeps the last answer when the view is left and opened again', async () => {
    stubApi(fraudRoutes)
    const { client, unmount } = renderWithClient(<PredictView model="fraud" />)
    await userEvent.click(await screen.findByRole('button', { name: 'Score' }))
    expect(await screen.findByTestId('model-score')).toHaveTextContent('87.0%')
    unmount()
    renderWithClient(<PredictView model="fraud" />, { client })
    expect(screen.getByTestId('model-score')).toHaveTextContent('87.0%')
    expect(screen.getByTestId('shap-bars')).toHaveTextContent('Amount (USD) = $84.50') // the values scored, remembered with the answer
  })
})

describe('PredictView when not signed in', () => {
  it('asks for a key on "Score", then scores the input', async () => {
    const auth = sessionApi()
    const calls = stubApi({
      ...auth.routes,
      'GET /api/v1/models/fraud/model': fraudVersion,
      'POST /api/v1/models/fraud/predict': auth.guarded(prediction, 'predict'),
      'POST /api/v1/models/fraud/explain': auth.guarded(explanation, 'predict'),
    })
    renderWithClient(
      <>
        <PredictView model="fraud" />
        <SignInDialog />
      </>,
      { client: testClient([[keys.session, session(null)]]) },
    )
    await userEvent.click(await screen.findByRole('button', { name: 'Score' }))
    await userEvent.type(await screen.findByLabelText('API key'), `${ADMIN_KEY}{Enter}`)
    expect(await screen.findByTestId('model-score')).toHaveTextContent('87.0%')
    expect(screen.queryByText('Could not score this input')).toBeNull()
    expect(calls.filter((c) => c.path === '/api/v1/models/fraud/predict')).toHaveLength(1)
  })
})

describe('PredictView of another model', () => {
  const scored = { prediction_id: '0b7e4c1e-8f0a-4f57-9d4e-3a8c9a8b1c2d', score: 0.912, decision: true, threshold: 0.5, model: 'cancer', model_version: cancerVersion.version, stage: 'champion', latency_ms: 1.8 }
  const onnxRefusal = {
    detail: 'model: cancer is an onnx model: explanations need a tree booster',
    errors: [{ field: 'model', message: 'cancer 20261201-191003-e3915b7d is an onnx model: explanations need a tree booster (XGBoost, TreeSHAP); it is scored and monitored but not explained', type: 'value_error' }],
  }

  it('builds the form from its schema, scores through /models/{name}/predict and says plainly why an ONNX model is not explained', async () => {
    const calls = stubApi({
      'GET /api/v1/models/cancer/model': cancerVersion,
      'POST /api/v1/models/cancer/predict': scored,
      'POST /api/v1/models/cancer/explain': () => [422, onnxRefusal],
    })
    renderWithClient(<PredictView model="cancer" />, { client: testClient([[keys.session, session('admin')]]) })
    const radius = await screen.findByLabelText('Mean radius')
    expect(radius).toHaveValue(13.4)
    expect(screen.getByLabelText('Clinic')).toHaveValue('north')
    expect(screen.getByLabelText('Smoker')).not.toBeChecked()
    expect(screen.getByRole('status')).toHaveTextContent('without an explanation (ONNX models are scored and monitored, not explained)')

    await userEvent.clear(radius)
    await userEvent.type(radius, '21.5')
    await userEvent.selectOptions(screen.getByLabelText('Clinic'), 'south')
    await userEvent.click(screen.getByLabelText('Smoker'))
    await userEvent.click(screen.getByRole('button', { name: 'Score' }))

    expect(await screen.findByTestId('model-score')).toHaveTextContent('91.2%')
    expect(screen.getByText('Positive')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Suspicious purchase' })).toBeNull() // a preset of other inputs
    expect(screen.getByTestId('explain-unavailable')).toHaveTextContent('No explanation for this score: cancer 20261201-191003-e3915b7d is an onnx model')
    expect(screen.queryByRole('alert')).toBeNull() // scored all the same
    const sent = { 'mean radius': 21.5, 'mean texture': 20.52, clinic: 'south', smoker: true }
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/models/cancer/predict', sent],
      ['/api/v1/models/cancer/explain', sent],
    ])
  })

  it('says when the canary answered', async () => {
    stubApi({
      'GET /api/v1/models/cancer/model': cancerVersion,
      'POST /api/v1/models/cancer/predict': { ...scored, model_version: '20261202-090000-ca9a0001', stage: 'canary' },
      'POST /api/v1/models/cancer/explain': () => [422, onnxRefusal],
    })
    renderWithClient(<PredictView model="cancer" />, { client: testClient([[keys.session, session('admin')]]) })
    await userEvent.click(await screen.findByRole('button', { name: 'Score' }))
    expect(await screen.findByTestId('answered-by-canary')).toHaveTextContent('Canary')
  })

  it("shows an XGBoost model's SHAP contributions beside its score", async () => {
    const xgboost = { ...cancerVersion, format: 'xgboost-json' as const }
    const explained = { model: 'cancer', model_version: xgboost.version, score: 0.912, base_value: 0.4, margin: 2.34, contributions: { 'mean radius': 1.5, 'mean texture': 0.6, clinic: -0.2, smoker: 0.04 } }
    stubApi({ 'GET /api/v1/models/cancer/model': xgboost, 'POST /api/v1/models/cancer/predict': scored, 'POST /api/v1/models/cancer/explain': explained })
    renderWithClient(<PredictView model="cancer" />, { client: testClient([[keys.session, session('admin')]]) })
    await userEvent.click(await screen.findByRole('button', { name: 'Score' }))
    const bars = await screen.findByTestId('shap-bars')
    expect(screen.getByTestId('shap-unit')).toHaveTextContent('+ pushes towards the positive class')
    expect(bars.querySelector('[data-feature="mean radius"]')).toHaveTextContent(/^Mean radius = 13\.4\+1\.500$/)
    expect(bars.querySelector('[data-feature="clinic"]')).toHaveTextContent(/^Clinic = North−0\.200$/)
    expect(screen.queryByTestId('explain-unavailable')).toBeNull()
  })
})
