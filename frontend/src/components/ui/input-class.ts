/** The look of a text, number or select input; callers add the width (w-full, w-32, …). */
export const inputClass =
  'rounded-md border border-slate-700 bg-slate-950 px-2.5 py-1.5 text-sm text-slate-100 focus:border-sky-400 focus:outline-none aria-[invalid=true]:border-rose-500'
