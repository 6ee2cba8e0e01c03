import { useState } from 'react'
import { Button } from '../../../components/ui/button'
import { inputClass } from '../../../components/ui/input-class'

/**
 * The rates PUT /simulator accepts (`rps` of SimulatorUpdate in the OpenAPI document, which
 * does not reach the generated types); rate-control.test.ts holds them equal to src/api/openapi.json.
 */
export const RPS_RANGE = { min: 1, max: 200 }

interface RateControlProps {
  rps: number | null
  onApply: (rps: number | null) => void
  busy: boolean
}

/** The traffic rate: a number input applied with PUT (1–200 req/s); empty = the simulator's own SIM_RPS. */
export function RateControl({ rps, onApply, busy }: RateControlProps) {
  const [value, setValue] = useState<string | number>(rps ?? '')
  const number = Number(value)
  const invalid = value !== '' && (!Number.isFinite(number) || number < RPS_RANGE.min || number > RPS_RANGE.max)
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault()
        if (!invalid) onApply(value === '' ? null : number)
      }}
    >
      <div>
        <label htmlFor="rps" className="mb-1 block text-xs font-medium text-slate-400">
          Requests per second
        </label>
        <input
          id="rps"
          type="number"
          min={RPS_RANGE.min}
          max={RPS_RANGE.max}
          step={1}
          placeholder="default"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={invalid}
          className={`w-32 ${inputClass}`}
        />
      </div>
      <Button type="submit" disabled={busy || invalid}>
        Apply rate
      </Button>
      {invalid && <p className="w-full text-xs text-rose-300">Enter a rate between {RPS_RANGE.min} and {RPS_RANGE.max} requests per second.</p>}
    </form>
  )
}
