/** The dashboard's views by id (also the URL hash, #/drift), and what every view is given. */
export type ViewId = 'overview' | 'drift' | 'performance' | 'alerts' | 'predict' | 'simulator' | 'models'

export interface ViewProps {
  /** The model the view shows (the selected one). */
  model: string
  /** Open another view. */
  onNavigate?: (id: ViewId) => void
}

/** The registry's view, which also opens with no model selected (nothing registered yet). */
export interface RegistryViewProps extends Omit<ViewProps, 'model'> {
  model: string | null
}
