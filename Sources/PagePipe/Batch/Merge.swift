import Foundation

/// `pagepipe merge`: combines the output folders of shards 1...N of one run
/// into the outputs a single run would have written, byte for byte. Each shard
/// keeps its results in `.pagepipe/results.jsonl` in id order; the merge reads
/// them side by side (a k-way merge, so memory stays flat) and replays them
/// through the same writer a run uses.
public enum Merge {
    public static func run(pipeline: Pipeline, fingerprint: String, shards: [String], output: String) throws -> RunSummary {
        let start = monotonicTime()
        var readers: [ResultStore.Reader] = []
        var seen: [Int: String] = [:]
        var count: Int?
        for dir in shards {
            guard let r = try ResultStore.Reader(path: ResultStore.path(in: dir)) else {
                throw SetupError("\(dir): no \(ResultStore.folder)/\(ResultStore.fileName); was it written by `pagepipe run --shard`?")
            }
            guard r.header.pipeline == fingerprint else {
                throw SetupError("\(dir): written by a different pipeline or pagepipe version than the one given")
            }
            guard let s = r.header.shard else { throw SetupError("\(dir): not a shard (written without --shard)") }
            if let c = count, c != s.count { throw SetupError("\(dir): shard \(s) does not belong to a split into \(c)") }
            count = s.count
            if let other = seen[s.index] { throw SetupError("\(dir): shard \(s) is also in \(other)") }
            seen[s.index] = dir
            readers.append(r)
        }
        guard let n = count else { throw SetupError("no shard folders given") }
        let missing = (1 ... n).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SetupError("missing shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(n)" }.joined(separator: ", "))")
        }

        try Runner.createOutputFolder(output)
        Runner.removeStaleTemporaryFiles(output)
        let writer = try OutputWriter(pipeline: pipeline, output: output,
                                      store: ResultStore.Header(pipeline: fingerprint, shard: nil))
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
