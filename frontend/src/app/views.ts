import { lazy, type ComponentType, type LazyExoticComponent } from 'react'
import type { RegistryViewProps, ViewId, ViewProps } from '../types/view'

interface ViewBase {
  id: ViewId
  label: string
  icon: string
  /** Loads the view's chunk (Component does so on first render). */
  load: () => Promise<unknown>
}

type Module<P> = { default: ComponentType<P> }

/** A view's lazy component and the import behind it. */
function lazyView<P>(load: () => Promise<Module<P>>) {
  return { load, Component: lazy(load) }
}

/** A view of the selected model, or the registry (which opens with no model too: nothing registered yet). */
export type View = ViewBase &
  (
    | { registry: false; Component: LazyExoticComponent<ComponentType<ViewProps>> }
    | { registry: true; Component: LazyExoticComponent<ComponentType<RegistryViewProps>> }
  )

/** The dashboard's views, in navigation order; `id` is also the URL hash. */
export const VIEWS: View[] = [
  { id: 'overview', label: 'Overview', icon: '◎', registry: false, ...lazyView(() => import('../features/overview/components/overview-view')) },
  { id: 'drift', label: 'Drift', icon: '≋', registry: false, ...lazyView(() => import('../features/drift/components/drift-view')) },
  { id: 'performance', label: 'Performance', icon: '↗', registry: false, ...lazyView(() => import('../features/performance/components/performance-view')) },
  { id: 'alerts', label: 'Alerts', icon: '⚑', registry: false, ...lazyView(() => import('../features/alerts/components/alerts-view')) },
  { id: 'predict', label: 'Predict & explain', icon: 'ƒ', registry: false, ...lazyView(() => import('../features/predict/components/predict-view')) },
  { id: 'simulator', label: 'Simulator', icon: '▶', registry: false, ...lazyView(() => import('../features/simulator/components/simulator-view')) },
  { id: 'models', label: 'Models', icon: '▦', registry: true, ...lazyView(() => import('../features/models/components/models-view')) },
]

/** The view a hash names: '#/drift', '#drift' and '#/drift?feature=amount' are all the Drift view. */
export const viewFromHash = (hash: string | null | undefined): ViewId => {
  const id = (hash ?? '').replace(/^#\/?/, '').split('?')[0]
  return VIEWS.find((v) => v.id === id)?.id ?? 'overview'
}

export const viewById = (id: ViewId): View => VIEWS.find((v) => v.id === id) ?? VIEWS[0]
