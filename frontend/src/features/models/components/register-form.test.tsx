import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { keys } from '../../../lib/query-keys'
import { fraudEntry, registration, session } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubCall, type StubRoutes } from '../../../test/render'
import { RegisterCard } from './register-form'

const onnx = new File([new Uint8Array([8, 7, 18, 3])], 'cancer.onnx', { type: 'application/octet-stream' })
const csv = new File(['mean radius,mean texture,clinic,smoker,target\n13.4,20.5,north,false,1\n'], 'reference.csv', { type: 'text/csv' })

/** A recorded upload's form fields: text, or the File sent. */
const fields = (call: StubCall) => call.body as Record<string, string | File | undefined>
const fileName = (value: string | File | undefined) => (value instanceof File ? value.name : value)

const render = (routes: StubRoutes) => {
  const calls = stubApi({ 'GET /api/v1/models': [fraudEntry], ...routes })
  const client = testClient([[keys.session, session('admin')]])
  renderWithClient(<RegisterCard />, { client })
  return { calls, client }
}

async function fill() {
  const form = screen.getByRole('form', { name: 'Register a model' })
  await userEvent.type(within(form).getByLabelText('Name'), 'cancer')
  await userEvent.upload(within(form).getByLabelText('Model file'), onnx)
  await userEvent.upload(within(form).getByLabelText('Reference data'), csv)
  await userEvent.type(within(form).getByLabelText('Label column'), 'target')
  await userEvent.type(within(form).getByLabelText('Decision threshold'), '0.4')
  await userEvent.type(within(form).getByLabelText('Description'), 'Breast-cancer biopsies')
}

describe('RegisterCard', () => {
  it('checks first (a dry run): shows the inferred schema and the reference metrics, then registers', async () => {
    const { calls, client } = render({
      'POST /api/v1/models': ({ body }) => [201, registration(body.dry_run === 'false')],
    })
    client.setQueryData(keys.models, [fraudEntry])
    expect(screen.getByRole('button', { name: 'Register' })).toBeDisabled()
    await fill()
    await userEvent.click(screen.getByRole('button', { name: 'Check' }))

    const review = await screen.findByTestId('registration-review')
    expect(review).toHaveTextContent('Check passed')
    expect(review).toHaveTextContent('The schema was inferred from the reference data')
    const schema = within(review).getByTestId('inferred-schema')
    const rows = [...schema.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))
    expect(rows).toEqual([
      ['mean radius', 'numeric', 'float'],
      ['mean texture', 'numeric', 'float'],
      ['clinic', 'categorical', 'north, south'],
      ['smoker', 'boolean', 'bool'],
    ])
    const metrics = within(review).getByTestId('reference-metrics')
    expect(metrics).toHaveTextContent('ROC-AUC1.000')
    expect(metrics).toHaveTextContent('Recall100.0%')
    expect(metrics).toHaveTextContent('Rows284')

    const [check] = calls.filter((c) => c.method === 'POST')
    expect(check.headers).toEqual({}) // FormData: the browser writes the multipart Content-Type
    expect(check.credentials).toBe('same-origin') // the session cookie goes along
    expect(check.body).toMatchObject({ name: 'cancer', label: 'target', threshold: '0.4', description: 'Breast-cancer biopsies', dry_run: 'true' })
    expect(fileName(fields(check).artifact)).toBe('cancer.onnx')
    expect(fileName(fields(check).reference)).toBe('reference.csv')
    expect(fields(check).schema).toBeUndefined()

    const listReads = () => calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/models').length
    const readBefore = listReads()
    await userEvent.click(screen.getByRole('button', { name: 'Register' }))
    expect(await screen.findByTestId('registration-saved')).toHaveTextContent('cancer version 20261201-191003-e3915b7d is stored')
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.map((c) => fields(c).dry_run)).toEqual(['true', 'false'])
    await waitFor(() => expect(listReads()).toBe(readBefore + 1)) // the list reloads with the new model
    expect(screen.getByRole('button', { name: 'Open cancer' })).toBeInTheDocument()
  })

  it("lists a 422's problems by field and column, and marks the fields of the form", async () => {
    render({
      'POST /api/v1/models': () => [
        422,
        {
          detail: 'mean radius: holds dates; label: not in the table',
          errors: [
            { field: 'mean radius', message: 'holds dates, which cannot be a model input; convert them to numbers or text', type: 'value_error' },
            { field: 'label', message: "the label column 'target' is not in the table", type: 'value_error' },
          ],
        },
      ],
    })
    await fill()
    await userEvent.click(screen.getByRole('button', { name: 'Check' }))
    const problems = await screen.findByTestId('registration-problems')
    expect(problems).toHaveTextContent('2 problems to fix before this model can be registered')
    expect(within(problems).getByText('Column ‘mean radius’:')).toBeInTheDocument()
    expect(problems.querySelector('[data-field="mean radius"]')).toHaveTextContent('holds dates, which cannot be a model input')
    expect(problems.querySelector('[data-field="label"]')).toHaveTextContent("Label column: the label column 'target' is not in the table")
    expect(screen.getByLabelText('Label column')).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'false')
    expect(screen.getByRole('button', { name: 'Register' })).toBeDisabled()
    expect(screen.queryByTestId('registration-review')).toBeNull()
  })

  it('says what the API answered when it refuses the upload', async () => {
    render({
      'POST /api/v1/models': () => [403, { status: 403, title: 'Forbidden', detail: 'a request signed in by cookie must send Content-Type: application/json' }],
    })
    await fill()
    await userEvent.click(screen.getByRole('button', { name: 'Check' }))
    const error = await screen.findByRole('alert')
    expect(error).toHaveTextContent('Could not check this model')
    expect(error).toHaveTextContent('a request signed in by cookie must send Content-Type: application/json')
    expect(error).toHaveTextContent('register with the admin key: POST /api/v1/models with X-API-Key')
  })
})
