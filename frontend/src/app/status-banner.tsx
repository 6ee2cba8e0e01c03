import type { ReactNode } from 'react'
import { Button } from '../components/ui/button'
import { ApiError } from '../lib/api-client'
import { useSignInGate } from '../lib/auth/sign-in-gate'
import { formatClock } from '../lib/format'
import { useModels } from '../lib/api/get-models'
import { useDegraded } from '../lib/live/degraded'
import { useLiveStatus } from '../lib/live/live-provider'

const TONES = {
  critical: 'border-rose-500/40 bg-rose-950/60 text-rose-100',
  warning: 'border-amber-500/40 bg-amber-950/50 text-amber-100',
}

function Banner({ title, tone = 'critical', children }: { title: string; tone?: keyof typeof TONES; children: ReactNode }) {
  return (
    <div role="alert" className={`border-b px-4 py-2 text-sm lg:px-6 ${TONES[tone]}`}>
      <strong className="font-semibold">{title}</strong> {children}
    </div>
  )
}

/** The one banner that says what is wrong with the backend right now, if anything. */
export function StatusBanner() {
  const models = useModels() // whether the API answers: the model list, which every view needs
  const live = useLiveStatus()
  const degraded = useDegraded().data
  const { ask } = useSignInGate()
  if (models.isError && models.error instanceof ApiError && models.error.isAuthError) {
    return (
      <Banner title="This Driftwatch asks for a key even to read." tone="warning">
        <Button size="sm" className="ml-2" onClick={() => ask('manual')}>
          Sign in
        </Button>
      </Banner>
    )
  }
  if (models.isError) {
    return (
      <Banner title="The Driftwatch API is not answering.">
        {models.error?.message} The dashboard reconnects by itself once the backend is back.
      </Banner>
    )
  }
  if (live.status === 'reconnecting') {
    return (
      <Banner title="Lost the live connection to the Driftwatch API.">
        Retrying in {Math.ceil((live.retryInMs ?? 0) / 1000)} s (attempt {live.attempt}); the figures below are frozen until it is back.
      </Banner>
    )
  }
  if (live.status === 'live' && degraded) {
    return (
      <Banner title="The backend has lost its database." tone="warning">
        Figures are frozen since {formatClock(degraded.since)}. Predictions are still scored and queued, and are stored once the
        database is back.
      </Banner>
    )
  }
  return null
}
