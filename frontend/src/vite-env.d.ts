/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Another origin for REST and the live channel; empty or unset: the page's own. */
  readonly VITE_API_BASE_URL?: string
}
