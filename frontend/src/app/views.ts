import { lazy, type ComponentType, type LazyExoticComponent } from 'react'
import type { ViewId, ViewProps } from '../types/view'

export interface View {
  id: ViewId
  label: string
  icon: string
  Component: LazyExoticComponent<ComponentType<ViewProps>>
}

/** The dashboard's views, in navigation order; `id` is also the URL hash. */
export const VIEWS: View[] = [
  { id: 'overview', label: 'Overview', icon: '◎', Component: lazy(() => import('../features/overview/components/overview-view')) },
  { id: 'drift', label: 'Drift', icon: '≋', Component: lazy(() => import('../features/drift/components/drift-view')) },
  { id: 'performance', label: 'Performance', icon: '↗', Component: lazy(() => import('../features/performance/components/performance-view')) },
  { id: 'alerts', label: 'Alerts', icon: '⚑', Component: lazy(() => import('../features/alerts/components/alerts-view')) },
  { id: 'predict', label: 'Predict & explain', icon: 'ƒ', Component: lazy(() => import('../features/predict/components/predict-view')) },
  { id: 'simulator', label: 'Simulator', icon: '▶', Component: lazy(() => import('../features/simulator/components/simulator-view')) },
  { id: 'models', label: 'Models', icon: '▦', Component: lazy(() => import('../features/models/components/models-view')) },
]

/** The view a hash names: '#/drift', '#drift' and '#/drift?feature=amount' are all the Drift view. */
export const viewFromHash = (hash: string | null | undefined): ViewId => {
  const id = (hash ?? '').replace(/^#\/?/, '').split('?')[0]
  return VIEWS.find((v) => v.id === id)?.id ?? 'overview'
}

export const viewById = (id: ViewId): View => VIEWS.find((v) => v.id === id) ?? VIEWS[0]
