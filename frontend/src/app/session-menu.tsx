import { Badge } from '../components/ui/badge'
import { Button } from '../components/ui/button'
import { useSession, useSignOut } from '../lib/auth/session'
import { useSignInGate } from '../lib/auth/sign-in-gate'

/** Who is signed in, with Sign out; or Read-only with Sign in. Nothing while the session is unknown. */
export function SessionMenu() {
  const session = useSession().data
  const signOut = useSignOut()
  const { ask } = useSignInGate()
  if (!session) return null
  if (!session.authenticated) {
    return (
      <div className="flex flex-wrap items-center gap-2" data-testid="session" data-role="">
        <Badge tone="muted" title="Anyone can read; actions ask for a key">
          Read-only
        </Badge>
        <Button size="sm" onClick={() => ask('manual')}>
          Sign in
        </Button>
      </div>
    )
  }
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="session" data-role={session.role}>
      <Badge tone="info" title={session.key_id ? `Key ${session.key_id}` : undefined}>
        Signed in · {session.role}
      </Badge>
      {session.key_id && (
        <span className="hidden whitespace-nowrap font-mono text-[11px] text-slate-500 lg:inline" data-testid="session-key">
          key {session.key_id}
        </span>
      )}
      <Button size="sm" variant="ghost" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
        Sign out
      </Button>
    </div>
  )
}
