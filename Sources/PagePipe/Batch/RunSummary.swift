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
