import { describe, expect, it } from 'vitest'
import type { ModelEvent } from '../types/api'
import { eventMarks, labelRows, markLabel } from './event-marks'

const event = (id: number, kind: string, at: string, extra: Partial<ModelEvent> = {}): ModelEvent => ({
  id,
  created_at: at,
  model: 'fraud',
  kind,
  version: '20261201-221213-00b6cac1',
  actor: 'admin:abcd',
  message: '',
  details: {},
  ...extra,
})

describe('event marks', () => {
  it('labels a traffic switch by its scenario and a model change by its version', () => {
    expect(markLabel(event(1, 'scenario', '', { version: null, details: { label: 'Concept drift' } }))).toBe('Traffic: Concept drift')
    expect(markLabel(event(2, 'promoted', ''))).toBe('Promoted v…cac1')
  })

  it('marks an incident detected and resolved with the worker\'s short words', () => {
    const events = [
      event(6, 'incident_resolved', '2026-12-01T22:19:00Z', { version: null, message: 'Drift resolved after 6 min' }),
      event(5, 'incident_opened', '2026-12-01T22:12:00Z', { version: null, message: 'Drift detected: 3 features' }),
    ]
    const marks = eventMarks(events, [Date.parse('2026-12-01T22:10:00Z'), Date.parse('2026-12-01T22:20:00Z')])
    expect(marks.map((m) => [m.kind, m.label])).toEqual([
      ['incident_opened', 'Drift detected: 3 features'],
      ['incident_resolved', 'Drift resolved after 6 min'],
    ])
    expect(new Set(marks.map((m) => m.color)).size).toBe(2)
  })

  it('marks traffic switches and model changes within the span, oldest first, and nothing else', () => {
    const events = [
      event(4, 'promoted', '2026-12-01T22:14:34Z'),
      event(3, 'gate', '2026-12-01T22:13:00Z'),
      event(2, 'scenario', '2026-12-01T22:11:19Z', { version: null, details: { label: 'Concept drift' } }),
      event(1, 'scenario', '2026-12-01T21:00:00Z', { version: null, details: { label: 'Sudden shift' } }),
    ]
    const marks = eventMarks(events, [Date.parse('2026-12-01T22:10:00Z'), Date.parse('2026-12-01T22:20:00Z')])
    expect(marks.map((m) => [m.kind, m.label])).toEqual([
      ['scenario', 'Traffic: Concept drift'],
      ['promoted', 'Promoted v…cac1'],
    ])
  })

  it('puts each label on the first row it clears, and none where every row is taken', () => {
    const marks = ['Traffic: Sudden shift', 'Drift detected: 3 features', 'Traffic: Concept drift', 'Quality drop detected', 'Far away']
      .map((label) => ({ label }))
    // Four changes within 30 px of each other, one far to the right; a 3-row band.
    expect(labelRows(marks, [100, 110, 120, 130, 500], 800)).toEqual([0, 1, 2, null, 0])
    // Near the right edge a label runs left of its line, and clears one that runs right.
    expect(labelRows([{ label: 'Traffic: Sudden shift' }, { label: 'Resolved' }], [100, 790], 800)).toEqual([0, 0])
  })
})
