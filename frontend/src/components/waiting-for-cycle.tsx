import type { ReactNode } from 'react'
import { StateMessage } from './ui/state-message'
import { config } from '../config/env'

/** The wait before the worker's first `cycle` (drift, monitoring) has landed, with what comes next as children. */
export function WaitingForCycle({ cycle = 'drift', children }: { cycle?: 'drift' | 'monitoring'; children: ReactNode }) {
  return (
    <StateMessage kind="loading" title={`Waiting for the first ${cycle} cycle — about ${config.driftCycleSeconds} s`}>
      {children}
    </StateMessage>
  )
}
