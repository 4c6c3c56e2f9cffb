import Foundation

/// Runs a pipeline over input pages with `jobs` worker threads. Pages are
/// processed out of order but written strictly in id order through a bounded
/// reorder window, so memory stays flat and output is the same for any `jobs`.
/// All outputs are written under temporary names and renamed at the end.
public final class Runner: @unchecked Sendable {
    public struct Options: Sendable {
        public var jobs: Int
        public var progress: Bool
        /// Reuse stored results for unchanged pages (`.pagepipe/results.jsonl`).
        public var incremental: Bool
        /// With `incremental`: process pages that failed last time even if unchanged.
        public var retryFailed: Bool
        public var shard: ShardSpec?
        /// The pipeline's fingerprint, stored with results.
        public var pipelineFingerprint: String
        /// The pipeline itself, stored with results so that `merge` needs no pipeline file.
        public var pipelineRecord: PipelineRecord?

        public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: Bool = false,
                    incremental: Bool = false, retryFailed: Bool = false, shard: ShardSpec? = nil,
                    pipelineFingerprint: String = "", pipelineRecord: PipelineRecord? = nil) {
            self.jobs = max(1, jobs)
            self.progress = progress
            self.incremental = incremental
            self.retryFailed = retryFailed
            self.shard = shard
            self.pipelineFingerprint = pipelineFingerprint
            self.pipelineRecord = pipelineRecord
        }

        /// Results are stored when a later run or a merge will need them.
        var storesResults: Bool { incremental || shard != nil }
    }

    public static let errorsFile = "errors.jsonl"
    public static let droppedFile = "dropped.jsonl"
    public static let statsFile = "stats.json"

    let pipeline: Pipeline
    let options: Options

    public init(pipeline: Pipeline, options: Options) {
        self.pipeline = pipeline
        self.options = options
    }

    /// Processes `items` and writes every output into `output` (created if needed).
    /// The caller holds the output lock. A page's failure is a result, not an
    /// error; what this throws is an I/O failure of the run's own files.
    public func run(items allItems: [InputItem], output: String) throws(RunError) -> RunSummary {
        do {
            return try runUnchecked(items: allItems, output: output)
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(output, "\(error)")
        }
    }

    private func runUnchecked(items allItems: [InputItem], output: String) throws -> RunSummary {
        let start = monotonicTime()
        let cpuStart = processCPUTime()
        try Self.createOutputFolder(output)
        Self.removeStaleTemporaryFiles(output)

        let items = options.shard.map { s in allItems.filter { s.contains(id: $0.id) } } ?? allItems
        let reuse = try planReuse(items, output: output)

        let writer = try OutputWriter(pipeline: pipeline, output: output,
                                      store: options.storesResults
                                          ? ResultStore.Header(pipeline: options.pipelineFingerprint, shard: options.shard,
                                                               record: options.pipelineRecord) : nil)
        var summary = RunSummary()
        summary.shard = options.shard
        summary.stages = pipeline.emptyStats()
        let progress = options.progress ? ProgressLine(total: items.count) : nil
        let oldStore = reuse.contains(true) ? try ResultStore.Reader(path: ResultStore.path(in: output)) : nil
        let source = WorkSource(items: items, reuse: reuse, hashInputs: options.storesResults)
        var itemsDone = 0

        func record(_ result: DocResult) throws {
            summary.count(result)
            try writer.write(result)
        }

        do {
            try forEachInOrder(source) { outcome in
                switch outcome {
                case let .processed(results, stats, itemFinished):
                    for k in 0 ..< stats.count { summary.stages[k].merge(stats[k]) }
                    summary.processed += results.count
                    for r in results { try record(r) }
                    if itemFinished { itemsDone += 1 }
                case .reused(let index):
                    let item = items[index]
                    if item.isWARC {
                        let prefix = item.id + "\u{0}"
                        while let stored = try oldStore?.next(withPrefix: prefix) {
                            summary.skipped += 1
                            try record(stored)
                        }
                    } else {
                        guard let stored = try oldStore?.find(item.id) else {
                            throw RunError(ResultStore.path(in: output), "the stored result for \(item.id) vanished")
                        }
                        summary.skipped += 1
                        try record(stored)
                    }
                    itemsDone += 1
                }
                progress?.update(done: itemsDone)
            }
            try writer.commit()
        } catch {
            writer.abort()
            progress?.finish()
            throw error
        }
        progress?.finish()
        summary.warcSkipped = source.warcSkipped
        summary.wallSeconds = monotonicTime() - start
        summary.cpuSeconds = processCPUTime() - cpuStart
        summary.peakRSSMB = peakResidentMB()
        var w = JSONWriter()
        w.value(summary.json)
        w.bytes.append(0x0A)
        try AtomicFile.write(w.bytes, to: output + "/" + Self.statsFile)
        return summary
    }

    /// Which items can reuse the previous run's stored results: same pipeline,
    /// same file (size and mtime, or else the same content hash), and not a
    /// failure the user asked to retry.
    func planReuse(_ items: [InputItem], output: String) throws -> [Bool] {
        var reuse = [Bool](repeating: false, count: items.count)
        guard options.incremental,
              let store = try? ResultStore.Reader(path: ResultStore.path(in: output)),
              store.header.pipeline == options.pipelineFingerprint,
              store.header.shard == options.shard else { return reuse }
        for (k, item) in items.enumerated() where item.error == nil {
            let old = item.isWARC ? try store.next(withPrefix: item.id + "\u{0}") : try store.find(item.id)
            guard let old, let fp = old.fingerprint else { continue }
            if old.status == .failed && options.retryFailed { continue }
            guard let now = Fingerprint.of(path: item.path, hash: false), now.size == fp.size else { continue }
            if now.mtime == fp.mtime || Fingerprint.contentHash(path: item.path) == fp.hash {
                reuse[k] = true
            }
        }
        return reuse
    }

    static func createOutputFolder(_ output: String) throws(RunError) {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw RunError(output, "cannot create the folder: \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
        }
    }

    /// Leftovers of a run that was killed: temporary outputs nobody will rename.
    static func removeStaleTemporaryFiles(_ output: String) {
        for dir in [output, output + "/" + ResultStore.folder] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                where name.hasPrefix(".") && name.contains(".tmp-") {
                unlink(dir + "/" + name)
            }
        }
    }

    /// What the writer gets for each unit of work, in order.
    enum Outcome {
        /// Fresh results; `itemFinished` when the unit completed an input item.
        case processed([DocResult], [StageStats], itemFinished: Bool)
        /// An unchanged input: replay its stored results.
        case reused(Int)
    }

    /// Runs the units of `source` with `jobs` threads and calls `body` with
    /// each unit's outcome in order, on the calling thread.
    func forEachInOrder(_ source: WorkSource, _ body: (Outcome) throws -> Void) throws {
        let state = OrderedWork(window: max(4, options.jobs * 8), source: source)
        let pipeline = self.pipeline
        let group = DispatchGroup()
        for _ in 0 ..< options.jobs {
            group.enter()
            let thread = Thread {
                while let (k, unit) = state.take() {
                    state.put(k, Self.process(unit, pipeline: pipeline))
                }
                group.leave()
            }
            // Deeply nested pages need stack in the stages' tree walks.
            thread.stackSize = 64 << 20
            thread.start()
        }
        defer {
            state.cancel()
            group.wait()
        }
        var k = 0
        while let outcome = state.result(k) {
            try body(outcome)
            k += 1
        }
    }

    static func process(_ unit: WorkUnit, pipeline: Pipeline) -> Outcome {
        var stats = pipeline.emptyStats()
        switch unit {
        case .reused(let index):
            return .reused(index)
        case .failed(let result, let itemFinished):
            return .processed([result], stats, itemFinished: itemFinished)
        case let .page(item, hash):
            var doc = Document(id: item.id)
            doc.sourcePath = item.path
            let fingerprint = hash ? Fingerprint.of(path: item.path) : nil
            return .processed([DocResult(pipeline.run(doc, stats: &stats), fingerprint: fingerprint)], stats, itemFinished: true)
        case let .document(doc, key, fingerprint, itemFinished):
            return .processed([DocResult(pipeline.run(doc, stats: &stats), key: key, fingerprint: fingerprint)],
                              stats, itemFinished: itemFinished)
        }
    }
}
