import { Area, AreaChart, YAxis } from 'recharts'
import { ChartFrame } from '../../../components/ui/chart-frame'
import { Stat } from '../../../components/ui/stat'
import { QueryState } from '../../../components/ui/state-message'
import { useTweenedNumber } from '../../../hooks/use-tweened-number'
import { formatInt, formatMs, formatPercent, formatRate } from '../../../lib/format'
import { useStats } from '../../../lib/api/get-stats'
import { useStatsSeries } from '../../../lib/api/get-stats-series'
import type { SeriesPoint } from '../../../lib/series'
import type { Stats } from '../../../types/api'

function LiveCounter({ total }: { total: number }) {
  const shown = useTweenedNumber(total)
  return (
    <div className="rounded-xl border border-sky-500/30 bg-gradient-to-br from-sky-500/10 to-slate-900/70 px-5 py-4">
      <div className="text-xs font-medium uppercase tracking-wider text-sky-300">Predictions served</div>
      <div className="mt-1 text-4xl font-bold tabular-nums text-white" data-testid="prediction-counter" data-value={total}>
        {formatInt(shown)}
      </div>
      <div className="mt-1 text-xs text-slate-400">
        All time, updated every second over the live channel
      </div>
    </div>
  )
}

function Sparkline({ series }: { series: SeriesPoint[] }) {
  if (series.length < 2) return <div className="grid h-[52px] place-items-center text-xs text-slate-500">Collecting live points…</div>
  return (
    <ChartFrame height={52} label="Predictions per second, last minutes">
      <AreaChart data={series} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
        <YAxis hide domain={[0, 'auto']} />
        <Area type="monotone" dataKey="perSecond" stroke="#38bdf8" fill="#38bdf8" fillOpacity={0.15} isAnimationActive={false} />
      </AreaChart>
    </ChartFrame>
  )
}

/** A model's figures, which the live channel updates every second, with a sparkline of its throughput. */
function Kpis({ stats, series }: { stats: Stats; series: SeriesPoint[] }) {
  const minute: Partial<Stats['last_minute']> = stats.last_minute ?? {}
  const latency: Partial<Stats['last_minute']['latency_ms']> = minute.latency_ms ?? {}
  const idle = !minute.count
  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,1.3fr)_minmax(0,2fr)]">
      <LiveCounter total={stats.total_predictions} />
      <div className="grid grid-cols-2 gap-3 xl:grid-cols-4">
        <Stat label="Throughput" value={formatRate(minute.per_second)} testId="throughput" className="col-span-2 xl:col-span-1">
          <Sparkline series={series} />
        </Stat>
        <Stat label="Latency p50" value={formatMs(latency.p50)} hint={idle ? 'No traffic in the last minute' : 'last minute'} />
        <Stat label="p95 / p99" value={formatMs(latency.p95)} hint={`p99 ${formatMs(latency.p99)}`} />
        <Stat
          label="Flagged positive"
          value={formatPercent(minute.positive_rate, 2)}
          hint={`last minute · all time ${formatPercent(stats.positive_rate, 2)}`}
          tone={(minute.positive_rate ?? 0) > 0.1 ? 'warn' : 'default'}
        />
      </div>
    </div>
  )
}

/** A model's live traffic figures: counter, throughput, latency percentiles and the share flagged positive. */
export function TrafficKpis({ model }: { model: string }) {
  const stats = useStats(model)
  const series = useStatsSeries(model).data
  return (
    <QueryState query={stats} loading="Loading live traffic…" errorTitle="No traffic figures">
      {(data) => <Kpis stats={data} series={series} />}
    </QueryState>
  )
}
