import type { ReactNode } from 'react'
import { hashFor } from '../lib/hash-params'
import { useModelSelection } from '../lib/use-selected-model'
import { StateMessage } from './ui/state-message'

/** What every view shows while no model is registered: where to register one. */
export function NoModelYet() {
  return (
    <div data-testid="no-model">
      <StateMessage
        title={
          <>
            No model registered yet — register one in{' '}
            <a href={hashFor('models')} className="text-sky-300 underline hover:text-sky-200">
              Models
            </a>
          </>
        }
      >
        Its traffic, drift, performance and alerts appear here once it is registered.
      </StateMessage>
    </div>
  )
}

/**
 * A view of one model: `children` with the selected model's name once it is known; until then the
 * list's loading state, with nothing registered a way to register one, and the list's error
 * when it cannot load and the URL names no model.
 */
export function ModelGate({ children }: { children: (model: string) => ReactNode }) {
  const selection = useModelSelection()
  switch (selection.status) {
    case 'ready':
      return children(selection.name)
    case 'none':
      return <NoModelYet />
    case 'error':
      return (
        <StateMessage kind="error" title="Could not load the registered models">
          {selection.error.message}
        </StateMessage>
      )
    default:
      return <StateMessage kind="loading" title="Loading the registered models…" />
  }
}
