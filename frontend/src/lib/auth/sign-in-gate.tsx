/**
 * Zero-friction sign-in: reading needs nothing; an action (switch the simulator,
 * acknowledge an alert, score a transaction) asks for a key when nobody is signed in
 * or the session has expired, and then runs the action the user asked for.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { ApiError } from '../api-client'
import { markSignedOut, useSession } from './session'

/** Why the dialog asks: an action needs a key, the session ended, or the user pressed Sign in. */
export type SignInReason = 'action' | 'expired' | 'manual'

interface Gate {
  prompt: { reason: SignInReason } | null
  ask: (reason: SignInReason, action?: (() => void) | null) => void
  cancel: () => void
  signedIn: () => void
}

const GateContext = createContext<Gate | null>(null)

/** Holds the sign-in prompt ({reason: 'action' | 'expired' | 'manual'} or null) and the action waiting for it. */
export function SignInGateProvider({ children }: { children: ReactNode }) {
  const [prompt, setPrompt] = useState<Gate['prompt']>(null)
  const pending = useRef<(() => void) | null>(null)

  const ask = useCallback((reason: SignInReason, action: (() => void) | null = null) => {
    pending.current = action
    setPrompt({ reason })
  }, [])
  const cancel = useCallback(() => {
    pending.current = null
    setPrompt(null)
  }, [])
  const signedIn = useCallback(() => {
    const action = pending.current
    pending.current = null
    setPrompt(null)
    action?.()
  }, [])

  const value = useMemo(() => ({ prompt, ask, cancel, signedIn }), [prompt, ask, cancel, signedIn])
  return <GateContext.Provider value={value}>{children}</GateContext.Provider>
}

export function useSignInGate(): Gate {
  const gate = useContext(GateContext)
  if (!gate) throw new Error('useSignInGate needs a <SignInGateProvider> above it')
  return gate
}

type Mutate<V> = (variables: V, options: { onError: (error: Error) => void }) => void

/**
 * `mutate` of a mutation that needs a credential, guarded: signed out → the sign-in
 * dialog first; a 401 (expired session) → signed out and asked again. While the session
 * is unknown (loading, or an older backend without it) the action is simply tried.
 */
export function useSignedInAction<V>(mutate: Mutate<V>): (variables: V) => void {
  const { ask } = useSignInGate()
  const client = useQueryClient()
  const authenticated = useSession().data?.authenticated
  return useCallback(
    (variables: V) => {
      const run = () =>
        mutate(variables, {
          onError: (error) => {
            if (!(error instanceof ApiError && error.isAuthError)) return
            markSignedOut(client)
            ask(authenticated ? 'expired' : 'action', run)
          },
        })
      if (authenticated === false) ask('action', run)
      else run()
    },
    [mutate, ask, client, authenticated],
  )
}

/** What to show for a failed action: nothing for a 401 (the dialog asks), the role for a 403. */
export function useActionError(error: Error | null): string | null {
  const role = useSession().data?.role
  if (!error || (error instanceof ApiError && error.isAuthError)) return null
  if (error instanceof ApiError && error.isForbidden) {
    return `The signed-in key${role ? ` (${role})` : ''} may not do this. Sign out and sign in with an admin key (ADMIN_API_KEYS).`
  }
  return error.message
}
