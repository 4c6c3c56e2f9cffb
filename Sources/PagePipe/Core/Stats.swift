import Foundation

/// Counts for one stage over a run.
public struct StageStats: Sendable, Equatable {
    public var name: String
    public var documentsIn = 0
    public var kept = 0
    public var dropped: [String: Int] = [:]
    public var errors = 0
    public var cpuSeconds = 0.0

    public init(name: String) { self.name = name }

    public mutating func merge(_ other: StageStats) {
        documentsIn += other.documentsIn
        kept += other.kept
        errors += other.errors
        cpuSeconds += other.cpuSeconds
        for (reason, n) in other.dropped { dropped[reason, default: 0] += n }
    }

    public var json: JSONValue {
        .object([
            ("stage", .string(name)),
            ("in", .int(documentsIn)),
            ("kept", .int(kept)),
            ("dropped", .object(dropped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("errors", .int(errors)),
            ("cpuSeconds", .double((cpuSeconds * 1000).rounded() / 1000)),
        ])
    }
}

/// CPU time of the calling thread, in seconds: what a stage cost, whatever
/// else the machine is doing.
@inline(__always)
public func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU time of the whole process (all threads), in seconds.
public func processCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Wall-clock seconds from an arbitrary origin.
public func monotonicTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The process's peak resident memory in MB (VmHWM). Read from /proc rather
/// than getrusage, whose figure for a spawned process includes its parent's
/// memory at the moment of the (v)fork.
public func peakResidentMB() -> Double {
    // /proc files report size 0, so read until EOF rather than by size.
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return 0 }
    defer { try? handle.close() }
    let status = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) } ?? 0
        return kb / 1024
    }
    return 0
}
