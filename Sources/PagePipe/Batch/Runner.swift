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
    /// WARC records that were not HTML pages, by reason.
    public var warcSkipped: [String: Int] = [:]

    public var pagesPerSecond: Double { wallSeconds > 0 ? Double(processed) / wallSeconds : 0 }

    /// 0 when every page succeeded, 1 when some failed.
    public var exitCode: Int32 { failed > 0 ? 1 : 0 }

    /// Counts one document's result.
    mutating func count(_ result: DocResult) {
        pages += 1
        switch result.status {
        case .ok: succeeded += 1
        case .failed: failed += 1
        case .dropped: dropped += 1
        }
    }

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
            ("warcSkippedRecords", .object(warcSkipped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
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
                            throw PageError("the stored result for \(item.id) vanished")
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

/// One unit of work, in output order.
enum WorkUnit {
    /// A page file to run through the stages.
    case page(InputItem, hash: Bool)
    /// A page read from a WARC file.
    case document(Document, key: String, fingerprint: Fingerprint?, itemFinished: Bool)
    /// An input that already failed (walk error, unreadable or corrupt WARC).
    case failed(DocResult, itemFinished: Bool)
    /// An unchanged input whose stored results are replayed.
    case reused(Int)
}

/// Turns the sorted inputs into units of work: one per page file, one per
/// HTML page of a WARC file (read record by record, so a 1 GB WARC never sits
/// in memory). Called under `OrderedWork`'s lock, from one thread at a time.
final class WorkSource {
    let items: [InputItem]
    let reuse: [Bool]
    let hashInputs: Bool
    private var next = 0
    private var warc: (reader: WARCReader, item: InputItem, fingerprint: Fingerprint?, ordinal: Int)?
    private var lookahead: WARCPage?
    private var pendingError: Error?
    /// WARC records that were not pages, by reason, over the run.
    private(set) var warcSkipped: [String: Int] = [:]

    init(items: [InputItem], reuse: [Bool], hashInputs: Bool) {
        self.items = items
        self.reuse = reuse
        self.hashInputs = hashInputs
    }

    static func key(_ item: InputItem, ordinal: Int) -> String {
        let digits = String(ordinal)
        return item.id + "\u{0}" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    func nextUnit() -> WorkUnit? {
        if let current = warc {
            return nextWARCUnit(current)
        }
        guard next < items.count else { return nil }
        let index = next
        next += 1
        let item = items[index]
        if reuse[index] { return .reused(index) }
        if let error = item.error {
            return .failed(DocResult(id: item.id, status: .failed, stage: "input", message: error), itemFinished: true)
        }
        guard item.isWARC else { return .page(item, hash: hashInputs) }
        let fingerprint = hashInputs ? Fingerprint.of(path: item.path) : nil
        do {
            let reader = try WARCReader(path: item.path)
            warc = (reader, item, fingerprint, 0)
            lookahead = nil
            return nextWARCUnit(warc!)
        } catch {
            var r = DocResult(id: item.id, key: Self.key(item, ordinal: 0), status: .failed, stage: "input", message: "\(error)")
            r.fingerprint = fingerprint
            return .failed(r, itemFinished: true)
        }
    }

    /// The WARC's next page (looking one ahead, to know when the file ends), or
    /// a failure for a corrupt record; moves on to the next input at the end.
    private func nextWARCUnit(_ current: (reader: WARCReader, item: InputItem, fingerprint: Fingerprint?, ordinal: Int)) -> WorkUnit? {
        let (reader, item, fingerprint, ordinal) = current
        func failure(_ error: Error) -> WorkUnit {
            // The pages before the corrupt record were returned; record the failure and move on.
            finishWARC(reader)
            var r = DocResult(id: item.id + "#offset-\((error as? WARCError)?.offset ?? 0)",
                              key: Self.key(item, ordinal: ordinal + 1), status: .failed, stage: "input", message: "\(error)")
            r.fingerprint = fingerprint
            return .failed(r, itemFinished: true)
        }
        if let error = pendingError { return failure(error) }
        let page: WARCPage
        do {
            if let l = lookahead { page = l } else if let p = try reader.nextPage() { page = p } else {
                finishWARC(reader)
                // A WARC without any HTML page contributes no document.
                return nextUnit()
            }
        } catch {
            return failure(error)
        }
        do {
            lookahead = try reader.nextPage()
        } catch {
            lookahead = nil
            pendingError = error
        }
        let last = lookahead == nil && pendingError == nil
        if last { finishWARC(reader) } else { warc = (reader, item, fingerprint, ordinal + 1) }
        var doc = page.document(file: item.id, sourcePath: item.path)
        doc.sourcePath = item.path
        return .document(doc, key: Self.key(item, ordinal: ordinal + 1), fingerprint: fingerprint, itemFinished: last)
    }

    private func finishWARC(_ reader: WARCReader) {
        for (reason, n) in reader.skipped { warcSkipped[reason, default: 0] += n }
        warc = nil
        lookahead = nil
        pendingError = nil
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

/// Hands out units of work to workers, at most `window` ahead of the writer,
/// and gives their outcomes back in order.
final class OrderedWork: @unchecked Sendable {
    private let lock = NSCondition()
    private let window: Int
    private let source: WorkSource
    private var next = 0
    private var exhausted = false
    private var written = 0
    private var cancelled = false
    private var results: [Int: Runner.Outcome] = [:]

    init(window: Int, source: WorkSource) {
        self.window = window
        self.source = source
    }

    /// The next unit and its position, or nil when there is no more work.
    func take() -> (Int, WorkUnit)? {
        lock.lock()
        defer { lock.unlock() }
        while !cancelled && !exhausted && next >= written + window { lock.wait() }
        if cancelled || exhausted { return nil }
        guard let unit = source.nextUnit() else {
            exhausted = true
            lock.broadcast()
            return nil
        }
        next += 1
        return (next - 1, unit)
    }

    func put(_ index: Int, _ outcome: Runner.Outcome) {
        lock.lock()
        results[index] = outcome
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the outcome at `index` (asked for 0, 1, 2, ... in order); nil after the last.
    func result(_ index: Int) -> Runner.Outcome? {
        lock.lock()
        defer { lock.unlock() }
        while results[index] == nil && !(exhausted && index >= next) { lock.wait() }
        guard let outcome = results.removeValue(forKey: index) else { return nil }
        written = index + 1
        lock.broadcast()
        return outcome
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
