import Foundation

/// `pagepipe merge`: combines the output folders of shards 1...N of one run
/// into the outputs a single run would have written, byte for byte. Each shard
/// keeps its results in `.pagepipe/results.jsonl` in id order; the merge reads
/// them side by side (a k-way merge, so memory stays flat) and replays them
/// through the same writer a run uses.
public enum Merge {
    /// A checked set of shards: one complete split of one pipeline, and the
    /// pipeline to write their outputs with.
    public struct Plan {
        public let shards: [String]
        /// The pipeline the shards ran: the one given, else the one they record.
        public let config: PipelineConfig
        public let fingerprint: String
        public let record: PipelineRecord?
        let readers: [ResultStore.Reader]
    }

    /// Opens the shards' results stores and checks them: each a shard of one
    /// split into N, none twice, none missing, and all run with one pipeline. That
    /// pipeline is `given` (a pipeline file, with its record) when there is one,
    /// else the one the shards record; shards that disagree, with each other or
    /// with the file, are refused with the first difference named.
    public static func plan(shards: [String], given: (file: String, config: PipelineConfig, record: PipelineRecord)? = nil) throws -> Plan {
        var readers: [ResultStore.Reader] = []
        var seen: [Int: String] = [:]
        var count: Int?
        for dir in shards {
            guard let r = try ResultStore.Reader(path: ResultStore.path(in: dir)) else {
                throw SetupError("\(dir): no \(ResultStore.folder)/\(ResultStore.fileName); was it written by `pagepipe run --shard`?")
            }
            guard let s = r.header.shard else { throw SetupError("\(dir): not a shard (written without --shard)") }
            if let c = count, c != s.count { throw SetupError("\(dir): shard \(s) does not belong to a split into \(c)") }
            count = s.count
            if let other = seen[s.index] { throw SetupError("\(dir): shard \(s) is also in \(other)") }
            seen[s.index] = dir
            readers.append(r)
        }
        guard let n = count, let first = readers.first else { throw SetupError("no shard folders given") }

        // One pipeline: every shard against the first (or against the file given).
        let reference = given.map { (name: $0.file, fingerprint: pipelineFingerprint($0.config), record: Optional($0.record)) }
            ?? (name: shards[0], fingerprint: first.header.pipeline, record: first.header.record)
        for (dir, r) in zip(shards, readers) where r.header.pipeline != reference.fingerprint {
            guard let mine = r.header.record, let theirs = reference.record else {
                throw SetupError("\(dir) ran another pipeline than \(reference.name) (fingerprint \(r.header.pipeline), not \(reference.fingerprint))")
            }
            if let difference = mine.difference(from: theirs, this: dir, that: reference.name) {
                throw SetupError("\(dir) ran another pipeline than \(reference.name): \(difference)")
            }
            throw SetupError("\(dir) ran another pipeline than \(reference.name) (fingerprint \(r.header.pipeline), not "
                + "\(reference.fingerprint)), though the stages and options they record agree: other models or pagepipe build?")
        }
        let missing = (1 ... n).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SetupError("missing shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(n)" }.joined(separator: ", "))")
        }

        if let given {
            return Plan(shards: shards, config: given.config, fingerprint: reference.fingerprint, record: given.record, readers: readers)
        }
        guard let record = first.header.record else {
            throw SetupError("\(shards[0]): records no pipeline (written before runs recorded theirs); give --pipeline FILE")
        }
        let config = try record.config(file: ResultStore.path(in: shards[0]))
        // Written by another version of pagepipe, or by one whose fingerprint
        // covers what the record does not: this binary cannot vouch for the bytes.
        let fingerprint = pipelineFingerprint(config)
        guard fingerprint == first.header.pipeline else {
            if record.pagepipe != PagePipeVersion.string {
                throw SetupError("the shards ran pagepipe \(record.pagepipe); this is pagepipe \(PagePipeVersion.string): merge with the version that ran them")
            }
            throw SetupError("\(shards[0]): the recorded pipeline's fingerprint is \(fingerprint) here, \(first.header.pipeline) in the shard: other models or pagepipe build?")
        }
        return Plan(shards: shards, config: config, fingerprint: fingerprint, record: record, readers: readers)
    }

    /// Writes the merged outputs of `plan` into `output` with `pipeline` (built
    /// from `plan.config`): byte-identical to one unsharded run's.
    public static func run(_ plan: Plan, pipeline: Pipeline, output: String) throws -> RunSummary {
        let start = monotonicTime()
        let readers = plan.readers, shards = plan.shards
        try Runner.createOutputFolder(output)
        Runner.removeStaleTemporaryFiles(output)
        let writer = try OutputWriter(pipeline: pipeline, output: output,
                                      store: ResultStore.Header(pipeline: plan.fingerprint, shard: nil, record: plan.record))
        var summary = RunSummary()
        summary.stages = pipeline.emptyStats()
        do {
            var heads = try readers.map { try $0.next() }
            while true {
                var best: Int?
                for (k, h) in heads.enumerated() {
                    guard let h else { continue }
                    if let b = best, let hb = heads[b], !h.key.utf8.lexicographicallyPrecedes(hb.key.utf8) { continue }
                    best = k
                }
                guard let k = best, let result = heads[k] else { break }
                heads[k] = try readers[k].next()
                summary.count(result)
                try writer.write(result)
            }
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        // Counts and CPU time add up across shards.
        for dir in shards {
            guard let data = FileManager.default.contents(atPath: dir + "/" + Runner.statsFile),
                  let stats = try? JSONParser.parse([UInt8](data)) else { continue }
            if case .int(let p)? = stats["processed"] { summary.processed += p }
            if case .int(let s)? = stats["skipped"] { summary.skipped += s }
            if case .object(let totals)? = stats["totals"], case .double(let c)? = totals.first(where: { $0.0 == "cpuSeconds" })?.1 {
                summary.cpuSeconds += c
            }
            guard case .array(let stages)? = stats["stages"] else { continue }
            for (k, s) in stages.enumerated() where k < summary.stages.count && s["stage"]?.stringValue == summary.stages[k].name {
                var add = StageStats(name: summary.stages[k].name)
                if case .int(let v)? = s["in"] { add.documentsIn = v }
                if case .int(let v)? = s["kept"] { add.kept = v }
                if case .int(let v)? = s["errors"] { add.errors = v }
                switch s["cpuSeconds"] { case .double(let v)?: add.cpuSeconds = v; case .int(let v)?: add.cpuSeconds = Double(v); default: break }
                if case .object(let d)? = s["dropped"] { for (r, v) in d { if case .int(let n) = v { add.dropped[r] = n } } }
                summary.stages[k].merge(add)
            }
        }
        summary.wallSeconds = monotonicTime() - start
        var w = JSONWriter()
        w.value(summary.json)
        w.bytes.append(0x0A)
        try AtomicFile.write(w.bytes, to: output + "/" + Runner.statsFile)
        return summary
    }
}
