import { useState } from 'react'
import { Button } from '../../../components/ui/button'
import { inputClass } from '../../../components/ui/input-class'

/** The traffic rate: a number input applied with PUT (1–200 req/s); empty = the simulator's own SIM_RPS. */
export function RateControl({ rps, onApply, busy }) {
  const [value, setValue] = useState(rps ?? '')
  const number = Number(value)
  const invalid = value !== '' && (!Number.isFinite(number) || number < 1 || number > 200)
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
          min={1}
          max={200}
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
      {invalid && <p className="w-full text-xs text-rose-300">Enter a rate between 1 and 200 requests per second.</p>}
    </form>
  )
}
