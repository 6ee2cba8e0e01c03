/**
 * The model every view shows: the one `?model=` names, else the default model of GET /models.
 * While the list loads (and the URL names none) there is no model yet; with nothing registered
 * there is none at all, and the views say so instead of asking the API about a model.
 */
import { useCallback } from 'react'
import type { ViewId } from '../types/view'
import { useModels } from './api/get-models'
import { defaultModelName } from './default-model'
import { selectModel, useModelParam } from './model-selection'

export type ModelSelection =
  | { status: 'ready'; name: string }
  | { status: 'loading'; name: null }
  | { status: 'none'; name: null }
  | { status: 'error'; name: null; error: Error }

export function useModelSelection(): ModelSelection {
  const named = useModelParam()
  const models = useModels()
  if (models.data?.length === 0) return { status: 'none', name: null }
  if (named) return { status: 'ready', name: named }
  const fallback = defaultModelName(models.data)
  if (fallback) return { status: 'ready', name: fallback }
  if (models.isError) return { status: 'error', name: null, error: models.error }
  return { status: 'loading', name: null }
}

/** The selected model's name; null while it is not known yet or nothing is registered. */
export const useSelectedModel = (): string | null => useModelSelection().name

/** The default model's name (the one shown when the URL names none); null while unknown. */
export const useDefaultModel = (): string | null => defaultModelName(useModels().data)

/** selectModel, leaving `?model=` out for the default model so its URLs stay as they were. */
export function useSelectModel(): (model: string, view?: ViewId) => void {
  const defaultModel = useDefaultModel()
  return useCallback((model: string, view?: ViewId) => selectModel(model, { view, defaultModel }), [defaultModel])
}
