/**
 * The guide's health monitor and maintenance task, made real: per-function cache usage from
 * `cache.stats().functions`, and OpenTelemetry spans and metrics built from tiercache's diagnostics channels.
 * Here the telemetry goes to in-memory exporters and is printed; in production, give the providers an OTLP
 * exporter instead (docs/observability.md).
 * Run: npx ts-node examples/monitoring.ts
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpanStatusCode, type Meter, type Span, type Tracer } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import {
  Cache,
  diagnosticChannels,
  isStorageError,
  withCache,
  type CacheStats,
  type ComputeContext,
  type ErrorMessage,
  type TierMessage,
} from '../src'

const MAX_CACHE_BYTES = 50 * 1024 * 1024

/**
 * Subscribes OpenTelemetry to tiercache's channels: a `cache.compute` span per computation (attributes after
 * Sentry's cache conventions: `cache.key`, plus the function), counters of hits, misses and errors by tier
 * and function, and a histogram of compute time. Returns a function that unsubscribes.
 */
export function instrumentTiercache(tracer: Tracer, meter: Meter): () => void {
  const hits = meter.createCounter('tiercache.hits', { description: 'values served, by tier' })
  const misses = meter.createCounter('tiercache.misses', { description: 'lookups that missed' })
  const errors = meter.createCounter('tiercache.errors', { description: 'tier failures' })
  const computeTime = meter.createHistogram('tiercache.compute.duration', { unit: 'ms' })
  const attributes = (m: TierMessage) => ({
    'cache.tier': m.tier,
    'cache.function': m.function ?? '',
  })

  const onHit = (m: unknown) => hits.add(1, attributes(m as TierMessage))
  const onMiss = (m: unknown) => misses.add(1, attributes(m as TierMessage))
  const onError = (m: unknown) => errors.add(1, { 'cache.tier': (m as ErrorMessage).tier })
  diagnosticsChannel.subscribe(diagnosticChannels.hit, onHit)
  diagnosticsChannel.subscribe(diagnosticChannels.miss, onMiss)
  diagnosticsChannel.subscribe(diagnosticChannels.error, onError)

  // One span per computation: the context object is the same from start to asyncEnd.
  const spans = new WeakMap<object, Span>()
  const finish = (context: ComputeContext) => {
    const span = spans.get(context)
    if (span === undefined) return
    if (context.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR })
    computeTime.record(context.durationMs ?? 0, { 'cache.function': context.function ?? '' })
    span.end()
    spans.delete(context)
  }
  const compute = diagnosticsChannel.tracingChannel(diagnosticChannels.compute)
  // Typed by hand: the type parameters of TracingChannel differ between versions of @types/node.
  const handlers = {
    start: (context: ComputeContext) =>
      spans.set(
        context,
        tracer.startSpan('cache.compute', {
          attributes: {
            'cache.key': context.key,
            'cache.function': context.function ?? '',
            'cache.refresh': context.refresh,
          },
        }),
      ),
    // A computation that returned synchronously has its duration at `end`; an async one at asyncEnd.
    end: (context: ComputeContext) => context.durationMs !== undefined && finish(context),
    asyncStart: () => {},
    asyncEnd: finish,
    error: (context: ComputeContext) => spans.get(context)?.recordException(context.error as Error),
  }
  compute.subscribe(handlers as unknown as Parameters<typeof compute.subscribe>[0])
  return () => {
    diagnosticsChannel.unsubscribe(diagnosticChannels.hit, onHit)
    diagnosticsChannel.unsubscribe(diagnosticChannels.miss, onMiss)
    diagnosticsChannel.unsubscribe(diagnosticChannels.error, onError)
    compute.unsubscribe(handlers as unknown as Parameters<typeof compute.unsubscribe>[0])
  }
}

/** The guide's `log_cache_usage`: per cached function, what it was asked, what it ran, what it saved. */
function logCacheUsage(stats: CacheStats): void {
  const rows = Object.values(stats.functions).map((fn) => ({
    function: fn.id,
    calls: fn.calls,
    'hit rate': fn.calls ? `${Math.round((100 * (fn.calls - fn.misses)) / fn.calls)}%` : '-',
    'memory hits': fn.hits.memory,
    'file hits': fn.hits.file,
    runs: fn.computations,
    joins: fn.joins.inProcess,
    errors: fn.errors,
    'mean run ms': Math.round(fn.computeMs.mean),
    'saved ms': Math.round(fn.timeSavedMs),
  }))
  console.table(rows)
  for (const fn of Object.values(stats.functions))
    console.log(
      `usage ${fn.id}: ${fn.calls} calls, ${fn.computations} runs, ${fn.joins.inProcess} joined`,
    )
}

/** The guide's `monitor_cache_health`: sizes and failures, with an alert when something is off. */
function monitorCacheHealth(stats: CacheStats): CacheStats {
  console.log('health:', {
    memoryEntries: stats.memoryEntries,
    fileEntries: stats.fileEntries,
    cacheBytes: stats.fileBytes,
    errors: stats.errors,
  })
  if (stats.fileBytes > MAX_CACHE_BYTES) console.warn('ALERT: cache size exceeds limit')
  if (stats.errors > 0) console.warn(`ALERT: ${stats.errors} storage failures`)
  return stats
}

/** The guide's `maintenance_task`: remove expired entries, then log usage; a storage failure is logged. */
async function maintenanceTask(cache: Cache): Promise<void> {
  try {
    console.log('expired entries removed:', await cache.cleanup())
    logCacheUsage(monitorCacheHealth(await cache.stats()))
  } catch (err) {
    if (!isStorageError(err)) throw err
    console.error('cache maintenance failed:', err.message)
  }
}

async function main() {
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 60_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const stop = instrumentTiercache(
    tracerProvider.getTracer('tiercache-example'),
    meterProvider.getMeter('tiercache-example'),
  )

  const cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'tiercache-monitoring-')) })
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const describeScene = withCache(
    async function describeScene(videoId: string, scene: number) {
      await sleep(30) // the model
      return { videoId, scene, caption: `scene ${scene} of ${videoId}` }
    },
    { cache, namespace: 'video', version: 2 },
  )
  const transcribe = withCache(
    async function transcribe(videoId: string) {
      await sleep(60)
      return { videoId, words: 1200 }
    },
    { cache, namespace: 'audio' },
  )

  // A worker's morning: three scenes described, each asked for again; five requests at once for one transcript.
  for (const scene of [1, 2, 3]) await describeScene('v42', scene)
  for (const scene of [1, 2, 3, 1]) await describeScene('v42', scene)
  await Promise.all(Array.from({ length: 5 }, () => transcribe('v42')))
  await transcribe('v42')

  await maintenanceTask(cache)

  await meterProvider.forceFlush()
  const spans = spanExporter.getFinishedSpans()
  console.log(`spans exported: ${spans.length} cache.compute`)
  for (const name of ['video:describeScene:v2', 'audio:transcribe:v1'])
    console.log(
      `  ${name}: ${spans.filter((s) => s.attributes['cache.function'] === name).length} spans`,
    )
  const metrics = metricExporter
    .getMetrics()
    .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
  const latest = new Map(metrics.map((metric) => [metric.descriptor.name, metric]))
  for (const [name, metric] of [...latest].sort(([a], [b]) => a.localeCompare(b))) {
    const points = metric.dataPoints.map((point) => {
      const value = typeof point.value === 'number' ? point.value : point.value.count
      const { 'cache.tier': tier, 'cache.function': fn } = point.attributes
      return `${[tier, fn].filter(Boolean).join('/')}=${value}`
    })
    console.log(`metric ${name}: ${points.sort().join(' ')}`)
  }

  stop()
  await Promise.all([cache.close(), tracerProvider.shutdown(), meterProvider.shutdown()])
}

void main()
