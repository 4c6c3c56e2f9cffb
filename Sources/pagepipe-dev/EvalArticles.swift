import ArgumentParser
import Foundation
import HTML
import PagePipe
import PagePipeTools

/// `pagepipe-dev eval-articles`: runs parse-html and remove-boilerplate over a
/// folder of pages and scores the text against a ground truth with the
/// article benchmark's shingle F1 (the same numbers as
/// ../shared/tools/score_articles.py), then compares the stage's CPU time with
/// libxml2's parse time on the same pages, on one core.
struct EvalArticles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-articles",
        abstract: "Score remove-boilerplate on a folder of pages (shingle F1) and time it against parsing.")

    @Option(help: "Folder of pages KEY.html or KEY.html.gz.")
    var pages: String

    @Option(help: "Ground truth JSON: {KEY: {\"articleBody\": ...}}.")
    var truth: String

    @Option(help: "remove-boilerplate options as a JSON object.")
    var options: String?

    @Option(help: "List the N pages with the lowest F1.")
    var worst: Int = 10

    @Option(help: "Write the predictions as JSON {KEY: {\"articleBody\": ...}} here (for score_articles.py).")
    var predictions: String?

    @Option(help: "Run each stage this many times per page for steadier timings.")
    var repeats: Int = 3

    @Flag(help: "Print the totals only, as JSON {\"n\", \"f1\", \"precision\", \"recall\"} (for CI gates).")
    var json = false

    func run() throws {
        let truthValue = try JSONParser.parse(Array(FileManager.default.contents(atPath: truth) ?? Data()))
        guard case .object(let truthMembers) = truthValue else { throw ValidationError("\(truth): expected a JSON object") }
        var truthText: [String: String] = [:]
        for (k, v) in truthMembers { truthText[k] = v["articleBody"]?.stringValue ?? v.stringValue ?? "" }

        let given: [String: JSONValue]
        if let options {
            guard case .object(let m) = try JSONParser.parse(options) else { throw ValidationError("--options: expected a JSON object") }
            given = Dictionary(m, uniquingKeysWith: { a, _ in a })
        } else {
            given = [:]
        }
        let parser = ParseHTML(options: .init())
        let stage: RemoveBoilerplate
        do {
            stage = try RemoveBoilerplate(json: given)
        } catch {
            throw ValidationError("--options: \(error)")
        }

        let files = try FileManager.default.contentsOfDirectory(atPath: pages).filter { $0.hasSuffix(".html") || $0.hasSuffix(".html.gz") }.sorted()
        var scored: [ShingleScore.Page] = []
        var predicted: [(String, JSONValue)] = []
        var parseTime = 0.0, stageTime = 0.0, libxmlTime = 0.0, bytesTotal = 0
        for file in files {
            let key = file.hasSuffix(".gz") ? String(file.dropLast(8)) : String(file.dropLast(5))
            guard let expected = truthText[key] else { continue }
            var raw = [UInt8](FileManager.default.contents(atPath: pages + "/" + file) ?? Data())
            if Gzip.isGzip(raw) { raw = try Gzip.decompress(raw, limit: 1 << 30) }
            bytesTotal += raw.count
            var parsed = Document(id: key)
            var text = ""
            for r in 0 ..< max(1, repeats) {
                var doc = Document(id: key)
                doc.html = raw
                var t0 = cpuNow()
                _ = try parser.process(&doc)
                parseTime += cpuNow() - t0
                t0 = cpuNow()
                _ = raw.withUnsafeBytes { HTMLParser.parse($0, encoding: "UTF-8") }
                libxmlTime += cpuNow() - t0
                t0 = cpuNow()
                _ = try stage.process(&doc)
                stageTime += cpuNow() - t0
                if r == 0 { parsed = doc; text = doc.text ?? "" }
            }
            _ = parsed
            scored.append(ShingleScore.page(key: key, truth: expected, predicted: text))
            predicted.append((key, .object([("articleBody", .string(text))])))
        }
        let missing = Set(truthText.keys).subtracting(scored.map(\.key))
        if !missing.isEmpty { throw ValidationError("no page for \(missing.count) ground-truth keys, e.g. \(missing.sorted().prefix(3))") }

        if let predictions {
            var w = JSONWriter()
            w.value(.object(predicted))
            try Data(w.bytes).write(to: URL(fileURLWithPath: predictions))
        }
        let t = ShingleScore.total(scored)
        if json {
            print("{\"n\": \(t.n), \"f1\": \(t.f1), \"precision\": \(t.precision), \"recall\": \(t.recall)}")
            return
        }
        print(String(format: "n=%d F1=%.3f P=%.3f R=%.3f accuracy=%.3f", t.n, t.f1, t.precision, t.recall, t.accuracy))
        for p in scored.sorted(by: { ($0.f1, $0.key) < ($1.f1, $1.key) }).prefix(worst) {
            print(String(format: "  %@  F1=%.3f P=%.3f R=%.3f", p.key, p.f1, p.precision, p.recall))
        }
        let runs = Double(max(1, repeats) * scored.count)
        // "libxml2 parse" is HTMLParser.parse: libxml2's parse plus the copy into
        // an HTMLTree, the closest to bare libxml2 that Swift code can time.
        print(String(format: "CPU per page (one core, mean of %d runs): libxml2 parse %.3f ms, parse-html %.3f ms, remove-boilerplate %.3f ms",
                     max(1, repeats), libxmlTime / runs * 1000, parseTime / runs * 1000, stageTime / runs * 1000))
        print(String(format: "remove-boilerplate / libxml2 parse = %.1f%%, / parse-html = %.1f%% (%.1f MB of HTML)",
                     stageTime / libxmlTime * 100, stageTime / parseTime * 100, Double(bytesTotal) / 1e6))
    }

    private func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
