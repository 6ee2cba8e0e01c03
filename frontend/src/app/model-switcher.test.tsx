import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { useSelectedModel } from '../lib/use-selected-model'
import { cancerEntry, fraudEntry, visit } from '../test/fixtures'
import { renderWithClient, stubApi } from '../test/render'
import { ModelSwitcher } from './model-switcher'

function Shown() {
  return <output data-testid="shown">{useSelectedModel()}</output>
}

describe('ModelSwitcher', () => {
  it('is not there while only one model is registered', async () => {
    const calls = stubApi({ 'GET /api/v1/models': [fraudEntry] })
    renderWithClient(<ModelSwitcher />)
    await waitFor(() => expect(calls.map((c) => c.path)).toContain('/api/v1/models'))
    await waitFor(() => expect(screen.queryByText('Model')).toBeNull())
    expect(screen.queryByTestId('model-switcher')).toBeNull()
  })

  it('lists every model and puts the one picked in the URL, keeping the view', async () => {
    stubApi({ 'GET /api/v1/models': [fraudEntry, cancerEntry] })
    visit('/#/drift')
    renderWithClient(
      <>
        <ModelSwitcher />
        <Shown />
      </>,
    )
    const select = await screen.findByLabelText('Model')
    expect(select).toHaveValue('fraud')
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual(['fraud', 'cancer'])

    await userEvent.selectOptions(select, 'cancer')
    expect(window.location.search).toBe('?model=cancer')
    expect(window.location.hash).toBe('#/drift')
    expect(screen.getByTestId('shown')).toHaveTextContent('cancer')
    expect(select).toHaveValue('cancer')

    await userEvent.selectOptions(select, 'fraud')
    expect(window.location.search).toBe('') // the default model's URLs need no parameter
    expect(window.location.hash).toBe('#/drift')
    expect(screen.getByTestId('shown')).toHaveTextContent('fraud')
  })

  it('follows the URL: a link to ?model=cancer opens with cancer selected', async () => {
    stubApi({ 'GET /api/v1/models': [fraudEntry, cancerEntry] })
    visit('/?model=cancer#/overview')
    renderWithClient(<ModelSwitcher />)
    expect(await screen.findByLabelText('Model')).toHaveValue('cancer')
  })
})
