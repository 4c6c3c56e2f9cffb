import ArgumentParser
import Foundation
import PagePipe

/// `pagepipe-dev bench-language`: single-thread throughput of language
/// identification alone and of the whole normalize-language stage, on the
/// sentences of a LANG.txt folder joined into paragraphs (as langid_eval.py
/// --paragraph N does). Build with `-c release` before measuring.
struct BenchLanguage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-language",
        abstract: "Measure language identification and normalize-language speed (MB/s, one core).")

    @Argument(help: "Folder of LANG.txt files (a sentence a line).")
    var data = "../shared/data/langid/test"
    @Option(help: "Sentences per text.")
    var paragraph = 5
    @Option(help: "Minimum seconds per measurement.")
    var seconds = 3.0

    func run() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".txt") }.sorted()
        var texts: [String] = []
        for name in names {
            let lines = try String(contentsOfFile: data + "/" + name, encoding: .utf8)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for k in stride(from: 0, to: lines.count, by: paragraph) {
                texts.append(lines[k ..< min(k + paragraph, lines.count)].joined(separator: " "))
            }
        }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        guard bytes > 0 else { throw ValidationError("no text in \(data)") }
        let model = try LanguageModel.bundled.get()
        print("\(texts.count) texts of \(paragraph) sentences, \(String(format: "%.2f", Double(bytes) / 1e6)) MB")

        var sink = 0
        let id = measure(bytes) {
            for t in texts { sink &+= model.identify(t).letters }
        }
        print(String(format: "language identification: %.1f MB/s", id))
        let full = measure(bytes) {
            for t in texts { sink &+= model.identify(t, decisiveMargin: 0).letters }
        }
        print(String(format: "language identification reading every byte (decisiveMargin 0): %.1f MB/s", full))

        let normalizer = TextNormalizer()
        let norm = measure(bytes) {
            for t in texts { sink &+= normalizer.normalize(t).utf8.count }
        }
        print(String(format: "text normalization: %.1f MB/s", norm))

        let stage = try NormalizeLanguage()
        let docs = texts.enumerated().map { k, t -> Document in
            var d = Document(id: String(k))
            d.text = t
            return d
        }
        let whole = try measureThrowing(bytes) {
            for var d in docs {
                _ = try stage.process(&d)
                sink &+= d.text?.utf8.count ?? 0
            }
        }
        print(String(format: "normalize-language stage: %.1f MB/s", whole))
        if sink == 42 { print("") }  // keeps the work from being optimized away
    }

    /// MB/s of `body` over `bytes`, repeated for at least `seconds`, best of the repeats.
    func measure(_ bytes: Int, _ body: () -> Void) -> Double {
        (try? measureThrowing(bytes, body)) ?? 0
    }

    func measureThrowing(_ bytes: Int, _ body: () throws -> Void) throws -> Double {
        try body()  // warm up: tables, model
        var best = 0.0
        var total = 0.0
        while total < seconds {
            let start = threadCPUNanoseconds()
            try body()
            let t = Double(threadCPUNanoseconds() - start) / 1e9
            total += t
            best = max(best, Double(bytes) / t / 1e6)
        }
        return best
    }
}

/// CPU time of this thread, so other load on the machine does not count.
func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
