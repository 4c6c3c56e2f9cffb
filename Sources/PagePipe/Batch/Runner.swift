import Foundation

/// What a run did, for the summary line, stats.json and the exit code.
public struct RunSummary: Sendable {
    public var pages = 0
    public var succeeded = 0
    public var failed = 0
    public var dropped = 0
    public var wallSeconds = 0.0
    public var cpuSeconds = 0.0
    public var stages: [StageStats] = []

    public var pagesPerSecond: Double { wallSeconds > 0 ? Double(pages) / wallSeconds : 0 }

    /// 0 when every page succeeded, 1 when some failed.
    public var exitCode: Int32 { failed > 0 ? 1 : 0 }

    public var line: String {
        String(format: "%d pages: %d ok, %d failed, %d dropped in %.2f s (%.1f pages/s)",
               pages, succeeded, failed, dropped, wallSeconds, pagesPerSecond)
    }

    public var json: JSONValue {
        .object([
            ("processed", .int(pages)),
            ("skipped", .int(0)),
            ("documents", .int(succeeded)),
            ("failed", .int(failed)),
            ("dropped", .int(dropped)),
            ("stages", .array(stages.map(\.json))),
            ("totals", .object([
                ("cpuSeconds", .double((cpuSeconds * 1000).rounded() / 1000)),
                ("wallSeconds", .double((wallSeconds * 1000).rounded() / 1000)),
                ("pagesPerSecond", .double((pagesPerSecond * 10).rounded() / 10)),
            ])),
        ])
    }
}

/// Runs a pipeline over input pages with `jobs` worker threads. Pages are
/// processed out of order but written strictly in id order through a bounded
/// reorder window, so memory stays flat and output is the same for any `jobs`.
public final class Runner: @unchecked Sendable {
    public struct Options: Sendable {
        public var jobs: Int
        public var progress: Bool
        public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: Bool = false) {
            self.jobs = max(1, jobs)
            self.progress = progress
        }
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
    public func run(items: [InputItem], output: String) throws -> RunSummary {
        let start = monotonicTime()
        let cpuStart = processCPUTime()
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)

        var sinks: [(name: String, sink: any EmitterSink)] = []
        let errors = try AtomicFile(path: output + "/" + Self.errorsFile)
        let dropped = try AtomicFile(path: output + "/" + Self.droppedFile)
        do {
            for (k, stage) in pipeline.stages.enumerated() {
                if let emitter = stage as? any Emitter {
                    sinks.append((pipeline.descriptors[k].name, try emitter.makeSink(directory: output)))
                }
            }
        } catch {
            sinks.forEach { $0.sink.abort() }
            throw error
        }

        var summary = RunSummary()
        summary.stages = pipeline.emptyStats()
        let progress = options.progress ? ProgressLine(total: items.count) : nil

        do {
            try forEachInOrder(items) { item, result, stats in
                for k in 0 ..< stats.count { summary.stages[k].merge(stats[k]) }
                summary.pages += 1
                switch result {
                case .done(let doc):
                    summary.succeeded += 1
                    for (name, sink) in sinks {
                        try sink.write(doc, record: doc.emitted[name] ?? [])
                    }
                case let .dropped(doc, stage, reason):
                    summary.dropped += 1
                    var w = JSONWriter()
                    w.value(.object([("id", .string(doc.id)), ("stage", .string(stage)), ("reason", .string(reason))]))
                    w.bytes.append(0x0A)
                    try dropped.write(w.bytes)
                case let .failed(doc, stage, error):
                    summary.failed += 1
                    var w = JSONWriter()
                    w.value(.object([("id", .string(doc.id)), ("stage", .string(stage)), ("error", .string(error))]))
                    w.bytes.append(0x0A)
                    try errors.write(w.bytes)
                }
                progress?.update(done: summary.pages)
            }
            for (_, sink) in sinks { try sink.commit() }
            try errors.commit()
            try dropped.commit()
        } catch {
            sinks.forEach { $0.sink.abort() }
            errors.abort()
            dropped.abort()
            progress?.finish()
            throw error
        }
        progress?.finish()
        summary.wallSeconds = monotonicTime() - start
        summary.cpuSeconds = processCPUTime() - cpuStart
        var w = JSONWriter()
        w.value(summary.json)
        w.bytes.append(0x0A)
        try AtomicFile.write(w.bytes, to: output + "/" + Self.statsFile)
        return summary
    }

    /// Runs the pipeline on every item with `jobs` threads and calls `body` on
    /// the results in item order, on the calling thread.
    func forEachInOrder(_ items: [InputItem],
                        _ body: (InputItem, Pipeline.Result, [StageStats]) throws -> Void) throws {
        let state = OrderedWork(window: max(4, options.jobs * 8), count: items.count)
        let pipeline = self.pipeline
        let threads = min(options.jobs, max(1, items.count))
        let group = DispatchGroup()
        for _ in 0 ..< threads {
            group.enter()
            let thread = Thread {
                while let index = state.take() {
                    state.put(index, Self.process(items[index], pipeline: pipeline))
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
        for index in 0 ..< items.count {
            let (result, stats) = state.result(index)
            try body(items[index], result, stats)
        }
    }

    static func process(_ item: InputItem, pipeline: Pipeline) -> (Pipeline.Result, [StageStats]) {
        var stats = pipeline.emptyStats()
        var doc = Document(id: item.id)
        doc.sourcePath = item.path
        if let error = item.error {
            return (.failed(doc, stage: "input", error: error), stats)
        }
        return (pipeline.run(doc, stats: &stats), stats)
    }
}

/// Hands out item indices to workers, at most `window` ahead of the writer,
/// and gives results back in index order.
final class OrderedWork: @unchecked Sendable {
    private let lock = NSCondition()
    private let window: Int
    private let count: Int
    private var next = 0
    private var written = 0
    private var cancelled = false
    private var results: [Int: (Pipeline.Result, [StageStats])] = [:]

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

    func put(_ index: Int, _ result: (Pipeline.Result, [StageStats])) {
        lock.lock()
        results[index] = result
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the result of `index` (called with 0, 1, 2, ... in order).
    func result(_ index: Int) -> (Pipeline.Result, [StageStats]) {
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
        let line = String(format: "\r\u{1B}[K%d/%d pages  %.1f pages/s  ETA %@", done, total, rate, Self.duration(eta))
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
