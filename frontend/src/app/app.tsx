import { Suspense, useEffect, useRef } from 'react'
import { SignInDialog } from '../components/sign-in-dialog'
import { StateMessage } from '../components/ui/state-message'
import { Badge } from '../components/ui/badge'
import { useSignInGate } from '../lib/auth/sign-in-gate'
import { FRAUD_MODEL, useSelectedModel } from '../lib/model-selection'
import { useModels, useOpenAlerts, useSimulator } from '../lib/queries'
import { ConnectionPill } from './connection-pill'
import { ModelChangeToast } from './model-change-toast'
import { ModelSwitcher } from './model-switcher'
import { SessionMenu } from './session-menu'
import { StatusBanner } from './status-banner'
import { useHashView } from './use-hash-view'
import type { ViewId } from '../types/view'
import { VIEWS, viewById, type View } from './views'

interface NavItemProps {
  view: View
  active: boolean
  onSelect: (id: ViewId) => void
  badge: number
}

function NavItem({ view, active, onSelect, badge }: NavItemProps) {
  const item = useRef<HTMLLIElement>(null)
  useEffect(() => {
    // On a phone the views are a row that scrolls sideways: bring the current one into it (the page itself stays put).
    const row = item.current?.parentElement
    if (!active || !item.current || !row || row.scrollWidth <= row.clientWidth) return
    row.scrollLeft = item.current.offsetLeft - row.offsetLeft - (row.clientWidth - item.current.offsetWidth) / 2
  }, [active])
  return (
    <li ref={item} className="shrink-0">
      <button
        type="button"
        onClick={() => onSelect(view.id)}
        aria-current={active ? 'page' : undefined}
        className={`flex w-full items-center gap-3 whitespace-nowrap rounded-lg px-3 py-2 text-left text-sm font-medium transition-colors ${
          active ? 'bg-sky-500/15 text-sky-200 ring-1 ring-sky-500/30' : 'text-slate-400 hover:bg-slate-800/70 hover:text-slate-100'
        }`}
      >
        <span aria-hidden className="w-4 text-center text-base leading-none">
          {view.icon}
        </span>
        <span className="flex-1">{view.label}</span>
        {badge > 0 && <Badge tone="critical">{badge}</Badge>}
      </button>
    </li>
  )
}

/** The simulator's scenario: it drives the fraud model's traffic, so only shown with that model. */
function ScenarioChip() {
  const simulator = useSimulator()
  const model = useSelectedModel()
  const scenario = simulator.data?.scenario
  if (!simulator.data || !scenario || model !== FRAUD_MODEL) return null
  const label = simulator.data.scenarios?.find((s) => s.name === scenario)?.label ?? scenario
  return <Badge tone={scenario === 'none' ? 'muted' : 'warning'}>Traffic: {label}</Badge>
}

export function App() {
  const [viewId, navigate] = useHashView()
  const openAlerts = useOpenAlerts().data?.counts?.open ?? 0
  const view = viewById(viewId)
  const { Component } = view
  const signingIn = useSignInGate().prompt !== null
  const registry = (useModels().data?.length ?? 0) > 1
  return (
    <>
      <div className="flex min-h-screen flex-col bg-slate-950 text-slate-200 md:flex-row" inert={signingIn}>
        {/* A sidebar from 768 px; above the page, with the views in a row that scrolls, on a phone. */}
        <aside className="shrink-0 border-b border-slate-800 bg-slate-900/40 md:w-56 md:border-r md:border-b-0">
          <div className="flex flex-col gap-3 px-3 py-3 md:sticky md:top-0 md:h-screen md:gap-0 md:py-4">
          <div className="flex items-center gap-2 px-2 md:mb-6">
            <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-sky-500/20 text-lg text-sky-300">
              ≈
            </span>
            <div>
              <div className="text-base font-semibold text-white">Driftwatch</div>
              <div className="text-[11px] text-slate-500">{registry ? 'ML model monitoring' : 'Fraud model monitoring'}</div>
            </div>
          </div>
          <nav aria-label="Views">
            <ul className="-mx-1 flex gap-1 overflow-x-auto px-1 pb-1 md:mx-0 md:block md:space-y-1 md:overflow-visible md:px-0 md:pb-0">
              {VIEWS.map((v) => (
                <NavItem key={v.id} view={v} active={v.id === viewId} onSelect={navigate} badge={v.id === 'alerts' ? openAlerts : 0} />
              ))}
            </ul>
          </nav>
          </div>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="sticky top-0 z-10 flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-slate-800 bg-slate-950/90 px-4 py-3 backdrop-blur md:px-6">
            <div className="flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2">
              <h1 className="text-lg font-semibold text-white">{view.label}</h1>
              <ModelSwitcher />
            </div>
            <div className="flex flex-wrap items-center justify-end gap-x-3 gap-y-2">
              <ScenarioChip />
              <ConnectionPill />
              <SessionMenu />
            </div>
          </header>
          <StatusBanner />
          <main className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-5 md:px-6">
            <Suspense fallback={<StateMessage kind="loading" title="Loading view…" />}>
              <Component onNavigate={navigate} />
            </Suspense>
          </main>
        </div>
      </div>
      <ModelChangeToast />
      <SignInDialog />
    </>
  )
}
