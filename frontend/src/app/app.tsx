import { Suspense } from 'react'
import { ModelGate } from '../components/model-gate'
import { SignInDialog } from '../components/sign-in-dialog'
import { StateMessage } from '../components/ui/state-message'
import { Badge } from '../components/ui/badge'
import { useActiveIncidents } from '../lib/api/get-incidents'
import { useSimulatedModel, useSimulator } from '../lib/api/get-simulator'
import { useSignInGate } from '../lib/auth/sign-in-gate'
import { useSelectedModel } from '../lib/use-selected-model'
import { ConnectionPill } from './connection-pill'
import { ModelChangeToast } from './model-change-toast'
import { ModelSwitcher } from './model-switcher'
import { SessionMenu } from './session-menu'
import { StatusBanner } from './status-banner'
import { useHashView } from './use-hash-view'
import { NAV_ID, useNavDrawer } from './use-nav-drawer'
import type { ViewId } from '../types/view'
import { VIEWS, viewById, type View } from './views'

interface NavItemProps {
  view: View
  active: boolean
  onSelect: (id: ViewId) => void
  badge: number
}

function NavItem({ view, active, onSelect, badge }: NavItemProps) {
  return (
    <li>
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

function Brand() {
  return (
    <div className="flex min-w-0 items-center gap-2">
      <span aria-hidden className="grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-sky-500/20 text-lg text-sky-300">
        ≈
      </span>
      <div className="min-w-0">
        <div className="text-base font-semibold text-white">Driftwatch</div>
        <div className="truncate text-[11px] text-slate-500">ML model monitoring</div>
      </div>
    </div>
  )
}

/** The simulator's scenario, shown with the model whose traffic it makes. */
function ScenarioChip() {
  const simulator = useSimulator()
  const model = useSelectedModel()
  const simulated = useSimulatedModel()
  const scenario = simulator.data?.scenario
  if (!simulator.data || !scenario || model === null || model !== simulated) return null
  const label = simulator.data.scenarios?.find((s) => s.name === scenario)?.label ?? scenario
  return <Badge tone={scenario === 'none' ? 'muted' : 'warning'}>Traffic: {label}</Badge>
}

/** The view in the URL, of the selected model (the registry opens without one too). */
function CurrentView({ view, onNavigate }: { view: View; onNavigate: (id: ViewId) => void }) {
  const model = useSelectedModel()
  if (view.registry) return <view.Component model={model} onNavigate={onNavigate} />
  const { Component } = view
  return <ModelGate>{(name) => <Component key={name} model={name} onNavigate={onNavigate} />}</ModelGate>
}

export function App() {
  const [viewId, navigate] = useHashView()
  // The badge counts what needs someone: the selected model's incidents open and not acknowledged (one shift is one incident).
  const openAlerts = useActiveIncidents(useSelectedModel()).data?.counts?.open ?? 0
  const view = viewById(viewId)
  const signingIn = useSignInGate().prompt !== null
  const { open: navOpen, toggle: toggleNav, close: closeNav, menuButton, drawer } = useNavDrawer()
  const select = (id: ViewId) => {
    closeNav()
    navigate(id)
  }
  return (
    <>
      <div className="flex min-h-screen flex-col bg-slate-950 text-slate-200 lg:flex-row" inert={signingIn}>
        {/* A sidebar from 1024 px; below it a drawer over the page, opened from the top bar's menu button. */}
        {navOpen && <div aria-hidden className="fixed inset-0 z-30 bg-slate-950/70 backdrop-blur-sm lg:hidden" onClick={() => closeNav()} />}
        <aside
          ref={drawer}
          id={NAV_ID}
          data-state={navOpen ? 'open' : 'closed'}
          aria-label="Navigation"
          className={`fixed inset-y-0 left-0 z-40 w-64 max-w-[85vw] border-r border-slate-800 bg-slate-900 shadow-2xl duration-200 lg:visible lg:sticky lg:top-0 lg:z-auto lg:h-screen lg:w-56 lg:max-w-none lg:shrink-0 lg:translate-x-0 lg:bg-slate-900/40 lg:shadow-none ${
            // Visible at once when opening (focus moves in), hidden only once it has slid out when closing.
            navOpen ? 'visible translate-x-0 transition-transform' : 'invisible -translate-x-full transition-[transform,visibility]'
          }`}
        >
          <div className="flex h-full flex-col overflow-y-auto px-3 py-4">
            <div className="mb-6 flex items-center justify-between gap-2 px-2">
              <Brand />
              <button
                type="button"
                onClick={() => closeNav(true)}
                aria-label="Close menu"
                className="grid h-8 w-8 shrink-0 place-items-center rounded-lg text-lg text-slate-400 hover:bg-slate-800 hover:text-white lg:hidden"
              >
                <span aria-hidden>×</span>
              </button>
            </div>
            <nav aria-label="Views">
              <ul className="space-y-1">
                {VIEWS.map((v) => (
                  <NavItem key={v.id} view={v} active={v.id === viewId} onSelect={select} badge={v.id === 'alerts' ? openAlerts : 0} />
                ))}
              </ul>
            </nav>
          </div>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col" inert={navOpen || undefined}>
          <div className="sticky top-0 z-20 flex items-center gap-3 border-b border-slate-800 bg-slate-900/95 px-3 py-2 backdrop-blur lg:hidden" data-testid="top-bar">
            <button
              ref={menuButton}
              type="button"
              onClick={toggleNav}
              aria-expanded={navOpen}
              aria-controls={NAV_ID}
              aria-label="Menu"
              className="grid h-9 w-9 shrink-0 place-items-center rounded-lg text-slate-300 ring-1 ring-slate-700 hover:bg-slate-800 hover:text-white"
            >
              <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round">
                <path d="M3 5.5h14M3 10h14M3 14.5h14" />
              </svg>
            </button>
            <Brand />
            {openAlerts > 0 && (
              <button type="button" onClick={() => select('alerts')} className="ml-auto" aria-label={`Alerts: ${openAlerts} open incidents`}>
                <Badge tone="critical">⚑ {openAlerts}</Badge>
              </button>
            )}
          </div>
          <header className="z-10 flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-slate-800 bg-slate-950/90 px-4 py-3 backdrop-blur lg:sticky lg:top-0 lg:px-6">
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
          <main className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-5 lg:px-6">
            <Suspense fallback={<StateMessage kind="loading" title="Loading view…" />}>
              <CurrentView view={view} onNavigate={navigate} />
            </Suspense>
          </main>
        </div>
      </div>
      <ModelChangeToast />
      <SignInDialog />
    </>
  )
}
