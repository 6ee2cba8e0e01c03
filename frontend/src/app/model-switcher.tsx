import { inputClass } from '../components/ui/input-class'
import { useModels } from '../lib/api/get-models'
import { useSelectedModel, useSelectModel } from '../lib/use-selected-model'

/**
 * The model every view shows, as a select in the header: GET /models' names. Only there
 * when more than one model is registered, so a Driftwatch of one model looks as it always did.
 * Switching keeps the current view.
 */
export function ModelSwitcher() {
  const models = useModels().data
  const selected = useSelectedModel()
  const selectModel = useSelectModel()
  if (!models || models.length < 2 || selected === null) return null
  const names = models.map((m) => m.name)
  const options = names.includes(selected) ? names : [...names, selected] // a name from a link that is not (yet) listed
  return (
    <label className="flex min-w-0 items-center gap-2 text-xs font-medium text-slate-400">
      Model
      <select
        value={selected}
        onChange={(e) => selectModel(e.target.value)}
        data-testid="model-switcher"
        className={`max-w-48 truncate py-1 font-mono text-xs ${inputClass}`}
      >
        {options.map((name) => (
          <option key={name} value={name} title={models.find((m) => m.name === name)?.description || undefined}>
            {name}
          </option>
        ))}
      </select>
    </label>
  )
}
