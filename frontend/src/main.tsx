import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClientProvider } from '@tanstack/react-query'
import { App } from './app/app'
import { createQueryClient } from './lib/query-client'
import { LiveProvider } from './lib/live/live-provider'
import { SignInGateProvider } from './lib/auth/sign-in-gate'
import './index.css'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no <div id="root">')

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <LiveProvider>
        <SignInGateProvider>
          <App />
        </SignInGateProvider>
      </LiveProvider>
    </QueryClientProvider>
  </StrictMode>,
)
