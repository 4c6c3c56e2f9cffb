import ArgumentParser
import Foundation
import HTML
import PagePipe

/// `pagepipe-dev bench`: the pipeline's speed against libxml2's parse-only
/// floor, per-stage CPU shares, thread scaling and peak memory, in one run
/// (ratios from one run are what to compare on a noisy machine). The output
/// format is stable so that results can be compared across commits.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the pipeline against libxml2 parse-only on a folder of pages.")

    @Option(name: .long, help: "Folder of pages (.html, .html.gz).")
    var pages: String = "../shared/data/article-bench-dev/html"

    @Option(name: .long, help: "The pipeline whose transform stages and emitters are measured.")
    var pipeline: String = "pipeline.json"

    @Option(name: .customLong("repeat"), help: "Passes over the pages (the median pass is reported).")
    var passes: Int = 5

    @Option(name: .long, help: "Largest thread count in the scaling table (default: all cores).")
    var maxJobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Corpus sizes for the peak-RSS runs of `pagepipe run` (comma separated; empty to skip).")
    var rss: String = "1000,20000"

    func run() throws {
        guard FileManager.default.fileExists(atPath: pages) else {
            print("bench: skipped: \(pages) is absent (../shared/data is not beside the checkout)")
            return
        }
        let config = try PipelineConfig.load(path: pipeline)
        let built = try config.build(file: pipeline)
        let items = try InputWalker.walk([pages]).filter { $0.error == nil }
        // Pages decompressed in memory: the benchmark measures CPU, not disk or zlib.
        var bodies: [[UInt8]] = []
        for item in items {
            var bytes = [UInt8](FileManager.default.contents(atPath: item.path) ?? Data())
            if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(bytes, limit: 1 << 30) }
            bodies.append(bytes)
        }
        let totalBytes = bodies.reduce(0) { $0 + $1.count }
        print("pagepipe bench v1")
        print("pages: \(bodies.count) (\(String(format: "%.1f", Double(totalBytes) / 1e6)) MB) from \(pages)")
        print("pipeline: \(config.stages.map(\.descriptor.name).joined(separator: " -> "))")

        // 1 and 2. libxml2 parse only and the whole pipeline (emitters render
        // their records), one thread, interleaved page by page: on a shared,
        // noisy machine both then run under the same conditions, so their
        // ratio holds even when the absolute figures drift. Each pass gives a
        // ratio; the median pass is reported.
        var rounds: [(parse: Double, pipe: Double, stats: [StageStats])] = []
        for _ in 0 ..< passes {
            var stats = built.emptyStats()
            var parse = 0.0, pipe = 0.0
            for (k, body) in bodies.enumerated() {
                let t0 = threadCPUTime()
                body.withUnsafeBytes { raw in
                    let d = Charset.detect(raw)
                    _ = HTMLParser.parseOnly(UnsafeRawBufferPointer(rebasing: raw[d.skip...]), encoding: d.encoding)
                }
                let t1 = threadCPUTime()
                var doc = Document(id: items[k].id)
                doc.html = body
                _ = built.run(doc, stats: &stats)
                let t2 = threadCPUTime()
                parse += t1 - t0
                pipe += t2 - t1
            }
            rounds.append((parse, pipe, stats))
        }
        rounds.sort { $0.parse / $0.pipe < $1.parse / $1.pipe }
        let median = rounds[rounds.count / 2]
        let parseBest = median.parse, pipeBest = median.pipe, bestStats = median.stats
        let n = Double(bodies.count)
        let parseRate = n / parseBest, pipeRate = n / pipeBest
        print("")
        print("one core (CPU time, interleaved page by page, median of \(passes) passes)")
        print(row("libxml2 parse only", parseRate, parseBest, totalBytes))
        print(row("pipeline", pipeRate, pipeBest, totalBytes))
        print(String(format: "ratio pipeline/parse-only: %.3f  (passes: %@)", pipeRate / parseRate,
                     rounds.map { String(format: "%.3f", $0.parse / $0.pipe) }.joined(separator: " ")))
        print("")
        print("stage CPU share (of pipeline CPU)")
        let stageTotal = bestStats.reduce(0) { $0 + $1.cpuSeconds }
        for s in bestStats {
            print("  " + pad(s.name, 20) + String(format: " %6.1f%%  %9.1f pages/s  %7.3f ms/page",
                         100 * s.cpuSeconds / max(stageTotal, 1e-9), n / max(s.cpuSeconds, 1e-9), 1000 * s.cpuSeconds / n))
        }

        // 3. Scaling: wall-clock pages/s with 1...maxJobs threads.
        print("")
        print("scaling (wall clock, pipeline)")
        var oneJob = 0.0
        for jobs in 1 ... max(1, maxJobs) {
            let rate = scaling(built, bodies: bodies, ids: items.map(\.id), jobs: jobs)
            if jobs == 1 { oneJob = rate }
            print(String(format: "  jobs %d: %8.1f pages/s  %.2fx", jobs, rate, rate / oneJob))
        }
        print("")
        print(String(format: "peak RSS of this process: %.1f MB", Self.peakRSS()))

        // 4. Peak RSS of `pagepipe run` over corpora of N pages (bounded memory).
        let sizes = rss.split(separator: ",").compactMap { Int($0) }
        if !sizes.isEmpty {
            print("")
            print("peak RSS of `pagepipe run` (pages copied from the folder, jobs \(maxJobs))")
            for size in sizes {
                let (mb, seconds) = try rssRun(size: size, bodies: bodies)
                print(String(format: "  %6d pages: %7.1f MB  (%.1f s, %.0f pages/s)", size, mb, seconds, Double(size) / seconds))
            }
        }
    }

    func row(_ name: String, _ rate: Double, _ seconds: Double, _ bytes: Int) -> String {
        "  " + pad(name, 20) + String(format: " %8.1f pages/s  %6.1f MB/s", rate, Double(bytes) / seconds / 1e6)
    }

    func scaling(_ built: Pipeline, bodies: [[UInt8]], ids: [String], jobs: Int) -> Double {
        let next = Counter()
        let group = DispatchGroup()
        let t0 = monotonicTime()
        for _ in 0 ..< jobs {
            group.enter()
            let thread = Thread {
                var stats = built.emptyStats()
                while true {
                    let k = next.take()
                    if k >= bodies.count * 2 { break }
                    var doc = Document(id: ids[k % bodies.count])
                    doc.html = bodies[k % bodies.count]
                    _ = built.run(doc, stats: &stats)
                }
                group.leave()
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
        group.wait()
        return Double(bodies.count * 2) / (monotonicTime() - t0)
    }

    /// Writes `size` pages to a temporary folder and runs the real CLI on them.
    func rssRun(size: Int, bodies: [[UInt8]]) throws -> (Double, Double) {
        let dir = NSTemporaryDirectory() + "pagepipe-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for k in 0 ..< size {
            let sub = dir + "/in/\(k / 1000)"
            if k % 1000 == 0 { try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true) }
            FileManager.default.createFile(atPath: sub + "/p\(k).html", contents: Data(bodies[k % bodies.count]))
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pagepipe").path
        let t0 = monotonicTime()
        var pid: pid_t = 0
        let args = [exe, "run", "--pipeline", pipeline, "--input", dir + "/in", "--output", dir + "/out", "--jobs", "\(maxJobs)", "--quiet"]
        var cargs = args.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        guard posix_spawn(&pid, exe, nil, nil, &cargs, environ) == 0 else { throw ValidationError("cannot start \(exe)") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let seconds = monotonicTime() - t0
        // The run reports its own peak (VmHWM) in stats.json.
        let stats = try JSONParser.parse([UInt8](FileManager.default.contents(atPath: dir + "/out/stats.json") ?? Data()))
        switch stats["totals"]?["peakRSSMB"] {
        case .double(let mb)?: return (mb, seconds)
        case .int(let mb)?: return (Double(mb), seconds)
        default: throw ValidationError("no peakRSSMB in \(dir)/out/stats.json")
        }
    }

    static func peakRSS() -> Double { peakResidentMB() }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
