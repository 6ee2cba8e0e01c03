/**
 * The timeline on a time chart: each promotion, rollback, challenger, retrain and retirement of
 * a model, each switch of the simulator's traffic, and each incident detected and
 * resolved, as a labelled vertical line at its time. One component for every time chart
 * (traffic, drift history, quality over time, champion vs challenger); it reads the events itself.
 */
import { ReferenceLine, usePlotArea } from 'recharts'
import { formatClock, formatPercent, shortVersion } from '../lib/format'
import { useModelEvents } from '../lib/api/get-events'
import type { ModelEvent } from '../types/api'

/** The kinds of event a chart marks, with the word its label starts with and its colour. */
const MARKED: Record<string, { verb: string; color: string }> = {
  promoted: { verb: 'Promoted', color: '#34d399' },
  rolled_back: { verb: 'Rolled back to', color: '#fb7185' },
  shadow: { verb: 'Shadow', color: '#c4b5fd' },
  canary: { verb: 'Canary', color: '#fbbf24' },
  retrain_registered: { verb: 'Retrained', color: '#f0abfc' },
  retired: { verb: 'Retired', color: '#94a3b8' },
  scenario: { verb: 'Traffic:', color: '#fb923c' },
  incident_opened: { verb: 'Detected', color: '#f43f5e' },
  incident_resolved: { verb: 'Resolved', color: '#2dd4bf' },
}

/** Kinds whose label is the event's own message, written short by the worker ("Drift detected: 3 features"). */
const SAYS_ITSELF = new Set(['incident_opened', 'incident_resolved'])

/** One model change as a chart draws it. */
export interface EventMark {
  id: number
  t: number
  kind: string
  version: string | null
  label: string
  color: string
  message: string
}

/** "Promoted v…5b7d", "Canary 20% v…5b7d": what happened to which version, in a few characters. */
export function markLabel(event: Pick<ModelEvent, 'kind' | 'version' | 'details' | 'message'>): string {
  const verb = MARKED[event.kind]?.verb ?? event.kind
  if (SAYS_ITSELF.has(event.kind)) return event.message
  if (event.kind === 'scenario') return `${verb} ${typeof event.details?.label === 'string' ? event.details.label : ''}`.trim()
  const share = event.kind === 'canary' && typeof event.details?.share === 'number' ? ` ${formatPercent(event.details.share, 0)}` : ''
  return `${verb}${share} ${shortVersion(event.version)}`
}

/** The events worth a mark whose time falls in [start, end] (epoch ms), oldest first. */
export function eventMarks(events: ModelEvent[] | undefined, [start, end]: [number, number]): EventMark[] {
  return (events ?? [])
    .filter((e) => e.kind in MARKED)
    .map((e) => ({ event: e, t: Date.parse(e.created_at) }))
    .filter(({ t }) => t >= start && t <= end)
    .sort((a, b) => a.t - b.t)
    .map(({ event, t }) => ({
      id: event.id,
      t,
      kind: event.kind,
      version: event.version,
      label: markLabel(event),
      color: MARKED[event.kind].color,
      message: event.message,
    }))
}

/** Rows the labels may take, so two changes close in time do not print over each other. */
const LABEL_ROWS = 3
const CHAR_WIDTH = 5.6 // px per character at 10 px
const LABEL_GAP = 6 // px between two labels on one row

/** Where a label at line `x` runs: right of its line, or left of it when it would pass `right`. */
function labelSpan(x: number, label: string, right: number): [number, number] {
  const width = label.length * CHAR_WIDTH
  return x + 4 + width > right ? [x - 4 - width, x - 4] : [x + 4, x + 4 + width]
}

/**
 * Each mark's label row: the first row where it clears the labels already placed there, oldest
 * first; null when every row is taken there (the line stays, its words are in its tooltip).
 * `xs` are the marks' lines in px, `right` the plot's right edge.
 */
export function labelRows(marks: Pick<EventMark, 'label'>[], xs: number[], right: number): (number | null)[] {
  const taken: [number, number][][] = Array.from({ length: LABEL_ROWS }, () => [])
  return marks.map((mark, i) => {
    const [from, to] = labelSpan(xs[i], mark.label, right)
    const row = taken.findIndex((spans) => spans.every(([a, b]) => to + LABEL_GAP <= a || from >= b + LABEL_GAP))
    if (row < 0) return null
    taken[row].push([from, to])
    return row
  })
}

interface LabelProps {
  viewBox?: { x?: number; y?: number }
  mark: EventMark
  row: number
}

/** A mark's label at the top of the plot, right of its line (left of it near the right edge). */
function MarkLabel({ viewBox, mark, row }: LabelProps) {
  const plot = usePlotArea()
  const x = viewBox?.x ?? 0
  const y = (viewBox?.y ?? plot?.y ?? 0) + 10 + row * 12
  const right = plot ? plot.x + plot.width : Infinity
  const [from] = labelSpan(x, mark.label, right)
  const flip = from < x
  return (
    <text
      x={flip ? x - 4 : x + 4}
      y={y}
      textAnchor={flip ? 'end' : 'start'}
      fill={mark.color}
      fontSize={10}
      stroke="#0f172a"
      strokeWidth={3}
      paintOrder="stroke"
      data-testid="event-mark-label"
    >
      <title>{`${formatClock(mark.t)} · ${mark.message}`}</title>
      {mark.label}
    </text>
  )
}

interface EventMarksProps {
  /** The chart's time span (epoch ms): only changes within it are drawn. Null draws nothing. */
  range: [number, number] | null
  /** The y axis the lines span, when the chart names its axes. */
  yAxisId?: string | number
  /** Whose changes. */
  model: string
}

/**
 * The model's changes within `range`, as dashed vertical lines labelled "Promoted v…5b7d".
 * Rendered as a child of a Recharts chart whose x axis is time in epoch ms (timeAxis()).
 */
export function EventMarks({ range, yAxisId, model }: EventMarksProps) {
  const events = useModelEvents(model).data
  const plot = usePlotArea()
  if (!range) return null
  const marks = eventMarks(events, range)
  // Where each line lands, as the time axis spans the range (close enough to keep labels apart).
  const [start, end] = range
  const width = plot?.width ?? 600
  const left = plot?.x ?? 0
  const xs = marks.map((m) => left + (end > start ? ((m.t - start) / (end - start)) * width : 0))
  const rows = labelRows(marks, xs, left + width)
  return marks.map((mark, i) => (
    <ReferenceLine
      key={mark.id}
      x={mark.t}
      {...(yAxisId === undefined ? {} : { yAxisId })}
      stroke={mark.color}
      strokeDasharray="4 3"
      strokeOpacity={0.85}
      className="event-mark"
      shape={(line: { x1?: number; y1?: number; x2?: number; y2?: number; clipPath?: string }) => (
        <line
          x1={line.x1}
          y1={line.y1}
          x2={line.x2}
          y2={line.y2}
          clipPath={line.clipPath}
          stroke={mark.color}
          strokeDasharray="4 3"
          strokeOpacity={0.85}
          data-testid="event-mark"
          data-kind={mark.kind}
          data-version={mark.version ?? ''}
          aria-label={mark.label}
        />
      )}
      label={rows[i] === null ? undefined : <MarkLabel mark={mark} row={rows[i]} />}
    />
  ))
}
