import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { comparisonPoint, modelEvent, staged, stagedStages } from '../../../test/fixtures'
import { keys } from '../../../lib/query-keys'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import type { Comparison, ModelEvent } from '../../../types/api'
import { ComparisonCard } from './comparison-card'

const comparison = (points: Comparison['points'], stages = stagedStages): Comparison => ({ model: 'fraud', stages, points })

/** The card of `body`; the model's timeline is in the cache already, so the charts draw its marks with their lines. */
const render = (body: Comparison, events: ModelEvent[] = []) => {
  const calls = stubApi({ 'GET /api/v1/models/fraud/comparison': body })
  const view = renderWithClient(<ComparisonCard name="fraud" />, { client: testClient([[keys.events('fraud'), events]]) })
  return { calls, ...view }
}

/** The x of each point of a drawn line ("M x,y L x,y …"). */
const xs = (path: Element | null) => [...(path?.getAttribute('d') ?? '').matchAll(/[ML]\s*([\d.]+)/g)].map((m) => Number(m[1]))

describe('ComparisonCard', () => {
  it('draws both versions’ realized ROC-AUC, their difference inside its 95% band with a zero line, and the newest cycle in words', async () => {
    const { calls, container } = render(comparison([0, 5, 10].map((m) => comparisonPoint(m))))
    const card = screen.getByTestId('comparison-chart')
    expect(await within(card).findByRole('img', { name: /Realized ROC-AUC of the champion and the challenger/ })).toBeInTheDocument()
    expect(card).toHaveTextContent('v…f37f against v…ee12 in canary (25%)')
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(screen.getByText('Champion v…f37f')).toBeInTheDocument()
    expect(screen.getByText('Challenger v…ee12')).toBeInTheDocument()
    expect(screen.getByText('95% interval')).toBeInTheDocument()

    // The band is a closed area around the difference line, over the same cycles.
    const band = container.querySelector('.auc-band .recharts-area-area')
    expect(band?.getAttribute('d')).toMatch(/Z$/)
    const diffLine = container.querySelectorAll('.recharts-line-curve')[2]
    expect(xs(diffLine)).toHaveLength(3)
    expect(container.querySelector('.zero-line line')).not.toBeNull()

    const summary = screen.getByTestId('comparison-summary')
    expect(within(summary).getByTestId('comparison-agreement')).toHaveTextContent('96.2%')
    expect(within(summary).getByTestId('comparison-labelled')).toHaveTextContent('1,500')
    expect(within(summary).getByTestId('comparison-auc-diff')).toHaveTextContent('+0.026')
    expect(summary).toHaveTextContent('95% interval +0.008 to +0.044')
    const gate = screen.getByTestId('gate-decision')
    expect(gate).toHaveAttribute('data-decision', 'promote')
    expect(gate).toHaveTextContent('Promote the challenger. ROC-AUC gain +0.026, 95% CI [+0.008, +0.044] clears the margin 0.005.')
    expect(calls.find((c) => c.path === '/api/v1/models/fraud/comparison')?.query).toEqual({ minutes: '60' })
  })

  it('holds in plain words while too few rows are labelled, and says what the charts wait for', async () => {
    const hold = { enabled: true, decision: 'hold' as const, reason: 'only 12 of the 200 labelled rows needed' }
    const points = [0, 5].map((m) => comparisonPoint(m, { realized: [null, null], diff: [null, null, null], nLabelled: 12, gate: hold }))
    render(comparison(points))
    const gate = await screen.findByTestId('gate-decision')
    expect(gate).toHaveAttribute('data-decision', 'hold')
    expect(gate).toHaveTextContent('Keep the champion. Only 12 of the 200 labelled rows needed.')
    expect(screen.getByTestId('comparison-auc-diff')).toHaveTextContent('—')
    expect(screen.getByTestId('comparison-summary')).toHaveTextContent('too few labels for an interval')
    expect(screen.getByTestId('comparison-agreement')).toHaveTextContent('96.2%') // agreement needs no label
    expect(screen.getByText('Waiting for labels')).toBeInTheDocument()
    expect(screen.queryByRole('img')).toBeNull()
  })

  it('draws the band only over the cycles with an interval', async () => {
    const points = [comparisonPoint(0, { diff: [0.01, null, null] }), comparisonPoint(5), comparisonPoint(10)]
    const { container } = render(comparison(points))
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(xs(container.querySelectorAll('.recharts-line-curve')[2])).toHaveLength(3) // the difference: every cycle
    const band = container.querySelector('.auc-band .recharts-area-area')?.getAttribute('d') ?? ''
    const bandXs = new Set([...band.matchAll(/[ML]\s*([\d.]+)/g)].map((m) => Math.round(Number(m[1]))))
    const lineXs = xs(container.querySelectorAll('.recharts-line-curve')[2]).map(Math.round)
    expect([...bandXs].sort((a, b) => a - b)).toEqual(lineXs.slice(1)) // not the first cycle's
  })

  it('leaves out the cycles of a replaced challenger and marks the model’s changes on both charts', async () => {
    const replaced = [0, 5].map((m) => comparisonPoint(m, { challenger: staged.candidate, gate: { enabled: true, decision: 'hold', reason: 'old' } }))
    const current = [10, 15, 20].map((m) => comparisonPoint(m))
    const events = [
      modelEvent(3, 'canary', '2026-11-24T09:12:00Z', { version: staged.canary, details: { share: 0.25 } }),
      modelEvent(2, 'shadow', '2026-11-24T09:02:00Z', { version: staged.candidate }), // before the current challenger's first cycle
    ]
    const { container } = render(comparison([...replaced, ...current]), events)
    await waitFor(() => expect(screen.getAllByTestId('event-mark')).toHaveLength(2)) // the canary, on each chart
    expect(screen.getAllByTestId('event-mark-label').map((l) => l.lastChild?.textContent)).toEqual(['Canary 25% v…ee12', 'Canary 25% v…ee12'])
    expect(xs(container.querySelector('.recharts-line-curve'))).toHaveLength(3)
    expect(screen.getByTestId('gate-decision')).toHaveAttribute('data-decision', 'promote')
  })

  it('says there is nothing to compare without a challenger', async () => {
    render(comparison([comparisonPoint(0)], { ...stagedStages, challenger: null, mode: null, share: null }))
    expect(await screen.findByText('No challenger: retrain or put a version in shadow to compare')).toBeInTheDocument()
    expect(screen.queryByRole('img')).toBeNull()
  })

  it('waits for the first cycle of a new challenger', async () => {
    render(comparison([]))
    expect(await screen.findByText('The comparison builds up cycle by cycle')).toBeInTheDocument()
  })
})
