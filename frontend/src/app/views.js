import { lazy } from 'react'

/** The dashboard's views, in navigation order; `id` is also the URL hash. */
export const VIEWS = [
  { id: 'overview', label: 'Overview', icon: '◎', Component: lazy(() => import('../features/overview/components/overview-view')) },
  { id: 'drift', label: 'Drift', icon: '≋', Component: lazy(() => import('../features/drift/components/drift-view')) },
  { id: 'performance', label: 'Performance', icon: '↗', Component: lazy(() => import('../features/performance/components/performance-view')) },
  { id: 'alerts', label: 'Alerts', icon: '⚑', Component: lazy(() => import('../features/alerts/components/alerts-view')) },
  { id: 'predict', label: 'Predict & explain', icon: 'ƒ', Component: lazy(() => import('../features/predict/components/predict-view')) },
  { id: 'simulator', label: 'Simulator', icon: '▶', Component: lazy(() => import('../features/simulator/components/simulator-view')) },
]

export const viewFromHash = (hash) => {
  const id = (hash ?? '').replace(/^#\/?/, '')
  return VIEWS.some((v) => v.id === id) ? id : 'overview'
}
