import Foundation

/// What a run did, for the summary line, stats.json and the exit code.
public struct RunSummary: Sendable {
    /// Inputs this run covers (after sharding).
    public var pages = 0
    /// Inputs run through the stages now; the rest reused stored results.
    public var processed = 0
    public var skipped = 0
    public var succeeded = 0
    public var failed = 0
    public var dropped = 0
    public var wallSeconds = 0.0
    public var cpuSeconds = 0.0
    public var stages: [StageStats] = []
    public var shard: ShardSpec?
    public var peakRSSMB = 0.0

    public var pagesPerSecond: Double { wallSeconds > 0 ? Double(processed) / wallSeconds : 0 }

    /// 0 when every page succeeded, 1 when some failed.
    public var exitCode: Int32 { failed > 0 ? 1 : 0 }

    public var line: String {
        var s = String(format: "%d pages: %d ok, %d failed, %d dropped", pages, succeeded, failed, dropped)
        if skipped > 0 { s += ", \(skipped) unchanged" }
        s += String(format: " in %.2f s (%.1f pages/s)", wallSeconds, pagesPerSecond)
        return s
    }

    public var json: JSONValue {
        .object([
            ("processed", .int(processed)),
            ("skipped", .int(skipped)),
            ("pages", .int(pages)),
            ("documents", .int(succeeded)),
            ("failed", .int(failed)),
            ("dropped", .int(dropped)),
            ("shard", shard.map { .string($0.description) } ?? .null),
            ("stages", .array(stages.map(\.json))),
            ("totals", .object([
                ("cpuSeconds", .double((cpuSeconds * 1000).rounded() / 1000)),
                ("wallSeconds", .double((wallSeconds * 1000).rounded() / 1000)),
                ("pagesPerSecond", .double((pagesPerSecond * 10).rounded() / 10)),
                ("peakRSSMB", .double((peakRSSMB * 10).rounded() / 10)),
            ])),
        ])
    }
}

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

        public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: Bool = false,
                    incremental: Bool = false, retryFailed: Bool = false, shard: ShardSpec? = nil,
                    pipelineFingerprint: String = "") {
            self.jobs = max(1, jobs)
            self.progress = progress
            self.incremental = incremental
            self.retryFailed = retryFailed
            self.shard = shard
            self.pipelineFingerprint = pipelineFingerprint
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
    /// The caller holds the output lock.
    public func run(items allItems: [InputItem], output: String) throws -> RunSummary {
        let start = monotonicTime()
        let cpuStart = processCPUTime()
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        Self.removeStaleTemporaryFiles(output)

        let items = options.shard.map { s in allItems.filter { s.contains(id: $0.id) } } ?? allItems
        let reuse = try planReuse(items, output: output)

        let writer = try OutputWriter(pipeline: pipeline, output: output,
                                      store: options.storesResults
                                          ? ResultStore.Header(pipeline: options.pipelineFingerprint, shard: options.shard) : nil)
        var summary = RunSummary()
        summary.shard = options.shard
        summary.stages = pipeline.emptyStats()
        let progress = options.progress ? ProgressLine(total: items.count) : nil
        let oldStore = reuse.contains(true) ? try ResultStore.Reader(path: ResultStore.path(in: output)) : nil
        let hashInputs = options.storesResults

        do {
            try forEachInOrder(items, skip: reuse, hash: hashInputs) { index, outcome in
                let result: DocResult
                if let (fresh, stats) = outcome {
                    for k in 0 ..< stats.count { summary.stages[k].merge(stats[k]) }
                    summary.processed += 1
                    result = fresh
                } else {
                    guard let stored = try oldStore?.find(items[index].id) else {
                        throw PageError("the stored result for \(items[index].id) vanished")
                    }
                    summary.skipped += 1
                    result = stored
                }
                summary.pages += 1
                switch result.status {
                case .ok: summary.succeeded += 1
                case .failed: summary.failed += 1
                case .dropped: summary.dropped += 1
                }
                try writer.write(result)
                progress?.update(done: summary.pages)
            }
            try writer.commit()
        } catch {
            writer.abort()
            progress?.finish()
            throw error
        }
        progress?.finish()
        summary.wallSeconds = monotonicTime() - start
        summary.cpuSeconds = processCPUTime() - cpuStart
        summary.peakRSSMB = peakResidentMB()
        var w = JSONWriter()
        w.value(summary.json)
        w.bytes.append(0x0A)
        try AtomicFile.write(w.bytes, to: output + "/" + Self.statsFile)
        return summary
    }

    /// Which items can reuse the previous run's stored result: same pipeline,
    /// same file (size and mtime, or else the same content hash), and not a
    /// failure the user asked to retry.
    func planReuse(_ items: [InputItem], output: String) throws -> [Bool] {
        var reuse = [Bool](repeating: false, count: items.count)
        guard options.incremental,
              let store = try? ResultStore.Reader(path: ResultStore.path(in: output)),
              store.header.pipeline == options.pipelineFingerprint,
              store.header.shard == options.shard else { return reuse }
        for (k, item) in items.enumerated() where item.error == nil {
            guard let old = try store.find(item.id), let fp = old.fingerprint else { continue }
            if old.status == .failed && options.retryFailed { continue }
            guard let now = Fingerprint.of(path: item.path, hash: false), now.size == fp.size else { continue }
            if now.mtime == fp.mtime || Fingerprint.contentHash(path: item.path) == fp.hash {
                reuse[k] = true
            }
        }
        return reuse
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

    /// Runs the pipeline on every item not skipped, with `jobs` threads, and
    /// calls `body` with each index in order and its fresh result (nil for skipped items).
    func forEachInOrder(_ items: [InputItem], skip: [Bool], hash: Bool,
                        _ body: (Int, (DocResult, [StageStats])?) throws -> Void) throws {
        let todo = items.indices.filter { !skip[$0] }
        let state = OrderedWork(window: max(4, options.jobs * 8), count: todo.count)
        let pipeline = self.pipeline
        let threads = min(options.jobs, max(1, todo.count))
        let group = DispatchGroup()
        for _ in 0 ..< threads {
            group.enter()
            let thread = Thread {
                while let k = state.take() {
                    state.put(k, Self.process(items[todo[k]], pipeline: pipeline, hash: hash))
                }
                group.leave()
            }
            // Deeply nested pages recurse in libxml2's tree code.
            thread.stackSize = 64 << 20
            thread.start()
        }
        defer {
            state.cancel()
            group.wait()
        }
        var k = 0
        for index in items.indices {
            if skip[index] {
                try body(index, nil)
            } else {
                try body(index, state.result(k))
                k += 1
            }
        }
    }

    static func process(_ item: InputItem, pipeline: Pipeline, hash: Bool) -> (DocResult, [StageStats]) {
        var stats = pipeline.emptyStats()
        var doc = Document(id: item.id)
        doc.sourcePath = item.path
        if let error = item.error {
            return (DocResult(.failed(doc, stage: "input", error: error), fingerprint: nil), stats)
        }
        let fingerprint = hash ? Fingerprint.of(path: item.path) : nil
        return (DocResult(pipeline.run(doc, stats: &stats), fingerprint: fingerprint), stats)
    }
}

/// Writes results in order into every output of a run: the emitters' files,
/// errors.jsonl, dropped.jsonl and (optionally) the result store. Shared by
/// `run` and `merge`, which is why a merge gives the same bytes as one run.
final class OutputWriter {
    private var sinks: [(name: String, sink: any EmitterSink)] = []
    private let errors: AtomicFile
    private let dropped: AtomicFile
    private let store: AtomicFile?

    init(pipeline: Pipeline, output: String, store header: ResultStore.Header?) throws {
        errors = try AtomicFile(path: output + "/" + Runner.errorsFile)
        dropped = try AtomicFile(path: output + "/" + Runner.droppedFile)
        if let header {
            try FileManager.default.createDirectory(atPath: output + "/" + ResultStore.folder, withIntermediateDirectories: true)
            let f = try AtomicFile(path: ResultStore.path(in: output))
            var w = JSONWriter()
            w.value(header.json)
            w.bytes.append(0x0A)
            try f.write(w.bytes)
            store = f
        } else {
            store = nil
        }
        do {
            for (k, stage) in pipeline.stages.enumerated() {
                if let emitter = stage as? any Emitter {
                    sinks.append((pipeline.descriptors[k].name, try emitter.makeSink(directory: output)))
                }
            }
        } catch {
            abort()
            throw error
        }
    }

    func write(_ result: DocResult) throws {
        switch result.status {
        case .ok:
            for (name, sink) in sinks {
                try sink.write(record: result.records[name] ?? [], entities: result.entities)
            }
        case .dropped:
            try dropped.write(Self.line([("id", .string(result.id)), ("stage", .string(result.stage ?? "")),
                                         ("reason", .string(result.message ?? ""))]))
        case .failed:
            try errors.write(Self.line([("id", .string(result.id)), ("stage", .string(result.stage ?? "")),
                                        ("error", .string(result.message ?? ""))]))
        }
        if let store {
            var w = JSONWriter()
            w.value(result.json)
            w.bytes.append(0x0A)
            try store.write(w.bytes)
        }
    }

    private static func line(_ members: [(String, JSONValue)]) -> [UInt8] {
        var w = JSONWriter()
        w.value(.object(members))
        w.bytes.append(0x0A)
        return w.bytes
    }

    func commit() throws {
        for (_, sink) in sinks { try sink.commit() }
        try errors.commit()
        try dropped.commit()
        try store?.commit()
    }

    func abort() {
        sinks.forEach { $0.sink.abort() }
        errors.abort()
        dropped.abort()
        store?.abort()
    }
}

/// Hands out work indices to workers, at most `window` ahead of the writer,
/// and gives results back in index order.
final class OrderedWork: @unchecked Sendable {
    private let lock = NSCondition()
    private let window: Int
    private let count: Int
    private var next = 0
    private var written = 0
    private var cancelled = false
    private var results: [Int: (DocResult, [StageStats])] = [:]

    init(window: Int, count: Int) {
        self.window = window
        self.count = count
    }

    /// The next index to process, or nil when all are handed out or the run stopped.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        while !cancelled && next < count && next >= written + window { lock.wait() }
        if cancelled || next >= count { return nil }
        next += 1
        return next - 1
    }

    func put(_ index: Int, _ result: (DocResult, [StageStats])) {
        lock.lock()
        results[index] = result
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the result of `index` (called with 0, 1, 2, ... in order).
    func result(_ index: Int) -> (DocResult, [StageStats]) {
        lock.lock()
        defer { lock.unlock() }
        while results[index] == nil { lock.wait() }
        written = index + 1
        lock.broadcast()
        return results.removeValue(forKey: index)!
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.broadcast()
        lock.unlock()
    }
}

/// A progress line on stderr, redrawn at most ten times a second.
final class ProgressLine {
    let total: Int
    let start = monotonicTime()
    var lastDraw = 0.0

    init(total: Int) { self.total = total }

    func update(done: Int) {
        let now = monotonicTime()
        guard now - lastDraw >= 0.1 || done == total else { return }
        lastDraw = now
        let elapsed = now - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = "\r\u{1B}[K\(done)/\(total) pages  " + String(format: "%.1f", rate) + " pages/s  ETA " + Self.duration(eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, t % 3600 / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}
