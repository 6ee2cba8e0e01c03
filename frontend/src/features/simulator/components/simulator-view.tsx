import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatDuration, formatRate, humanize } from '../../../lib/format'
import { useSimulatedModel, useSimulator } from '../../../lib/api/get-simulator'
import { useStats } from '../../../lib/api/get-stats'
import type { Scenario, SimulatorState, SimulatorUpdate } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { useSimulatorUpdate } from '../api/update-simulator'
import { RateControl } from './rate-control'

/**
 * The body of PUT /simulator for a scenario the backend listed. SimulatorUpdate types each
 * scenario's name and params exactly, while the state and the catalogue carry them as plain
 * strings and objects; what the backend listed is taken as valid (it answers 422 if not).
 */
const switchBody = (scenario: string, params?: SimulatorState['params'], rps?: SimulatorUpdate['rps']) =>
  ({ scenario, params, rps }) as SimulatorUpdate

function describeParams(params: SimulatorState['params']) {
  return Object.entries(params ?? {})
    .map(([key, value]) => `${humanize(key)}: ${Array.isArray(value) ? `${value.length} features` : value}`)
    .join(' · ')
}

interface ScenarioButtonProps {
  scenario: Scenario
  active: boolean
  busy: boolean
  onStart: (name: string) => void
}

function ScenarioButton({ scenario, active, busy, onStart }: ScenarioButtonProps) {
  return (
    <li className={`flex flex-col rounded-xl border p-3 ${active ? 'border-amber-400/50 bg-amber-500/5' : 'border-slate-800 bg-slate-900/50'}`}>
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-100">{scenario.label}</h3>
        {active && <Badge tone="warning">Active</Badge>}
      </div>
      <p className="mt-1 flex-1 text-xs text-slate-400">{scenario.description}</p>
      <Button
        className="mt-3 self-start"
        size="sm"
        variant={scenario.name === 'none' ? 'secondary' : 'primary'}
        aria-pressed={active}
        disabled={busy || active}
        onClick={() => onStart(scenario.name)}
        data-scenario={scenario.name}
      >
        {scenario.name === 'none' ? 'Back to normal' : `Start ${scenario.label.toLowerCase()}`}
      </Button>
    </li>
  )
}

/** The rate the simulated model measures over the last minute. */
function MeasuredRate({ model }: { model: string }) {
  const stats = useStats(model)
  return <>{formatRate(stats.data?.last_minute?.per_second)}</>
}

function SimulatorPanel({ state, simulated }: { state: SimulatorState; simulated: string | null }) {
  const update = useSimulatorUpdate()
  const switchTo = useSignedInAction(update.mutate)
  const error = useActionError(update.error)
  const active = state.scenarios.find((s) => s.name === state.scenario)
  return (
    <div className="space-y-4">
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)]">
        <Card title="Active scenario">
          <div className="flex flex-wrap items-center gap-3" data-testid="active-scenario" data-scenario={state.scenario}>
            <span className="text-2xl font-semibold text-white">{active?.label ?? state.scenario}</span>
            {state.scenario !== 'none' && state.started_at && (
              // The running time as of this render (each simulator event renders again); no ticking clock.
              // eslint-disable-next-line react-hooks/purity
              <Badge tone="warning">running {formatDuration((Date.now() - Date.parse(state.started_at)) / 1000)}</Badge>
            )}
          </div>
          <p className="mt-2 text-sm text-slate-400">{active?.description}</p>
          {Object.keys(state.params ?? {}).length > 0 && <p className="mt-1 text-xs text-slate-500">{describeParams(state.params)}</p>}
          {state.scenario !== 'none' && (
            <Button className="mt-3" onClick={() => switchTo(switchBody('none'))} disabled={update.isPending}>
              Back to normal
            </Button>
          )}
        </Card>
        <Card
          title="Traffic rate"
          subtitle={simulated ? <>Measured: <MeasuredRate model={simulated} /> over the last minute</> : undefined}
        >
          <RateControl
            key={state.rps ?? 'default'}
            rps={state.rps}
            busy={update.isPending}
            onApply={(rps) => switchTo(switchBody(state.scenario, state.params, rps))}
          />
          <p className="mt-2 text-xs text-slate-500">
            Setting: {state.rps ? `${state.rps} req/s` : 'the simulator’s default (SIM_RPS)'}
          </p>
        </Card>
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-300">
          {error}
        </p>
      )}
      <Card title="Scenarios" subtitle="The simulator follows a switch within a few seconds; drift shows after the next monitoring cycle">
        <ul className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
          {state.scenarios.map((s) => (
            <ScenarioButton key={s.name} scenario={s} active={s.name === state.scenario} busy={update.isPending} onStart={(name) => switchTo(switchBody(name))} />
          ))}
        </ul>
      </Card>
    </div>
  )
}

/**
 * The traffic simulator, which makes the traffic of the model GET /simulator names: every model's
 * view shows it, and says whose traffic it is when another model is selected.
 */
export default function SimulatorView({ model }: ViewProps) {
  const simulator = useSimulator()
  const simulated = useSimulatedModel()
  return (
    <div className="space-y-4">
      {simulated && simulated !== model && (
        <p className="rounded-lg border border-dashed border-slate-700 px-4 py-3 text-sm text-slate-400" data-testid="simulated-model">
          The simulator makes the traffic of <span className="font-mono text-slate-200">{simulated}</span>; its scenario switches
          are marked on {simulated}'s charts. The model {model} is scored by whoever calls{' '}
          <code className="text-slate-300">POST /api/v1/models/{model}/predict</code>.
        </p>
      )}
      <QueryState query={simulator} loading="Loading the simulator state…">
        {(state) => <SimulatorPanel state={state} simulated={simulated} />}
      </QueryState>
    </div>
  )
}
