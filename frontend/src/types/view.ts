/** The dashboard's views by id (also the URL hash, #/drift), and what every view is given. */
export type ViewId = 'overview' | 'drift' | 'performance' | 'alerts' | 'predict' | 'simulator' | 'models'

export interface ViewProps {
  /** Open another view. */
  onNavigate: (id: ViewId) => void
}
