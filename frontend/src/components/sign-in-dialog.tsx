import { useId, useRef, useState, type FormEvent } from 'react'
import { Button } from './ui/button'
import { Dialog } from './ui/dialog'
import { inputClass } from './ui/input-class'
import { useSignIn } from '../lib/auth/session'
import { ApiError } from '../lib/api-client'
import { useSignInGate, type SignInReason } from '../lib/auth/sign-in-gate'

const LEADS: Record<SignInReason, string> = {
  action: 'Reading is open to everyone; this action needs a key. Sign in once and it runs.',
  expired: 'Your session has ended. Sign in again and the action runs.',
  manual: 'Reading is open to everyone; switching scenarios, handling alerts and scoring need a key.',
}

function signInError(error: Error | null): string | null {
  if (!error) return null
  if (!(error instanceof ApiError)) return error.message
  if (error.status === 401) return 'That key was not accepted. Copy the whole ADMIN_API_KEYS value from the project’s .env.'
  if (error.status === 429) return `Too many attempts. Try again in ${error.retryAfter ?? 'a few'} s.`
  return error.message
}

interface SignInFormProps {
  reason: SignInReason
  onCancel: () => void
  onSignedIn: () => void
}

/** The key field in a dialog; focus starts in it and returns where it was on close. */
function SignInForm({ reason, onCancel, onSignedIn }: SignInFormProps) {
  const [key, setKey] = useState('')
  const signIn = useSignIn()
  const input = useRef<HTMLInputElement>(null)
  const errorId = useId()
  const error = signInError(signIn.error)

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const value = key.trim()
    if (value) signIn.mutate(value, { onSuccess: onSignedIn, onError: () => input.current?.select() })
  }

  return (
    <Dialog title="Sign in to make changes" description={LEADS[reason] ?? LEADS.manual} onClose={onCancel} initialFocus={input}>
      <form className="mt-4 space-y-2" onSubmit={submit}>
        <label htmlFor="sign-in-key" className="block text-xs font-medium text-slate-300">
          API key
        </label>
        <input
          ref={input}
          id="sign-in-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? errorId : undefined}
          className={`w-full font-mono ${inputClass}`}
        />
        <p className="text-xs text-slate-500">
          The admin key is <code className="text-slate-300">ADMIN_API_KEYS</code> in the project’s <code className="text-slate-300">.env</code>;{' '}
          <code className="text-slate-300">./scripts/setup.sh</code> prints where it is.
        </p>
        {error && (
          <p id={errorId} role="alert" className="text-sm text-rose-300">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={signIn.isPending || !key.trim()}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}

/** The sign-in dialog, open while the gate asks for a key. */
export function SignInDialog() {
  const { prompt, cancel, signedIn } = useSignInGate()
  return prompt ? <SignInForm reason={prompt.reason} onCancel={cancel} onSignedIn={signedIn} /> : null
}
