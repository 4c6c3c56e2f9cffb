import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev train-langid`: trains the language profile from the lines the
/// manifest (scripts/langid-training.tsv) names as `train` rows, under
/// ../shared/data/langid, and writes it where the normalize-language stage loads
/// it. With `--dev N`, every Nth block of 20 lines is held out and the accuracy on
/// them is printed instead, for tuning; `--hold-out` leaves languages out of the
/// profile and prints how often their text gets "und".
struct TrainLangID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-langid",
        abstract: "Train the language identification profile (Resources/langid.bin).")

    @Option(help: "Training manifest: language, role (train/dev), file, first and last line, licence, source.")
    var manifest = "scripts/langid-training.tsv"
    @Option(help: "Folder the manifest's files are in.")
    var root = "../shared/data/langid"
    @Option(help: "Folder of LANG.txt training files, instead of the manifest.")
    var data: String?
    @Option(help: "Where to write the profile.")
    var output = "Sources/PagePipe/Resources/langid.bin"
    @Option(help: "Hold out every Nth block of 20 lines and report accuracy on them instead of writing (0: off).")
    var dev = 0
    @Option(help: "Print the best languages' costs for this text instead of writing.")
    var explain: String?
    @Option(help: "Train on all of the training text, report accuracy on these folders of LANG.txt files instead of writing (comma-separated).")
    var evaluate: String?
    @Option(help: "Languages left out of the profile (comma-separated); their manifest dev text is scored: how much gets \"und\".")
    var holdOut: String?
    @Option(help: "log2 of the number of hashed n-gram buckets of a script with many languages.")
    var bits = LanguageTrainer.Settings().bits
    @Option(help: "log2 of the number of buckets of a script with few languages.")
    var smallBits = LanguageTrainer.Settings().smallBits
    @Option(help: "Longest character n-gram.")
    var order = LanguageTrainer.Settings().maxOrder
    @Flag(help: "Do not add whole words as features.")
    var noWords = false
    @Flag(help: "Let n-grams run on across the space between words.")
    var acrossWords = false
    @Option(help: "Per-language offsets, nats per feature, replacing the defaults: uk=0.2,ru=0.")
    var bias: String?
    @Option var alpha = LanguageTrainer.Settings().alpha
    @Option var scale = LanguageTrainer.Settings().scale
    @Option(help: "Weight of the diacritic-stripped copy of each sentence.")
    var stripped = LanguageTrainer.Settings().strippedWeight
    @Option(help: "Weight of text scored without its own language in the calibration.")
    var unknownWeight = LanguageTrainer.Settings().unknownWeight
    @Option(help: "A confidence below this gives \"und\" in the reports.")
    var minConfidence = NormalizeLanguage.defaultMinConfidence
    @Flag(inversion: .prefixedNo, help: "Train a language written in Han characters without kana as two profiles, simplified and traditional (each sentence converted both ways).")
    var hanVariants = true
    @Flag(help: "Print each misidentified sentence.")
    var showErrors = false

    func run() throws {
        var s = LanguageTrainer.Settings()
        s.bits = bits; s.smallBits = smallBits; s.maxOrder = order; s.wholeWords = !noWords; s.acrossWords = acrossWords
        s.alpha = alpha; s.scale = scale
        if bias != nil { s.bias = [:] }
        for item in bias?.split(separator: ",") ?? [] {
            let kv = item.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { s.bias[String(kv[0])] = v }
        }
        s.strippedWeight = stripped; s.unknownWeight = unknownWeight
        var corpus: [(language: String, sentences: [String])]
        if let data {
            corpus = try LangIDData.folder(data)
        } else {
            corpus = try LangIDData.manifest(manifest, root: root, role: "train")
        }
        guard !corpus.isEmpty else { throw ValidationError("no training text") }
        let left = Set((holdOut ?? "").split(separator: ",").map(String.init))
        corpus = corpus.filter { !left.contains($0.language) }
        var held: [(language: String, sentences: [String])] = []
        if dev > 0 {
            (corpus, held) = LanguageTrainer.split(corpus, every: dev, blockLines: 20)
        }
        let trainer = LanguageTrainer(settings: s)
        let start = Date()
        let model = trainer.trainCalibrated(withHanVariants(corpus)) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        FileHandle.standardError.write(Data(String(format: "trained in %.1f s\n", Date().timeIntervalSince(start)).utf8))
        if let explain {
            let a = model.analyze(explain)
            print(a.guess.language, String(format: "confidence %.3f, margin %.1f nats over %@, %.0f features, misfit %.3f",
                                           a.guess.confidence, a.margin, a.second ?? "-", a.features, a.misfit))
            return
        }
        var report = LangIDReport(model: model, minConfidence: minConfidence, showErrors: showErrors)
        if !left.isEmpty {
            let dev = try LangIDData.manifest(manifest, root: root, role: "dev").filter { left.contains($0.language) }
            report.unknown(dev)
            return
        }
        if let evaluate {
            for dir in evaluate.split(separator: ",") {
                print("== \(dir)")
                report.run(try LangIDData.folder(String(dir)))
            }
            return
        }
        if dev > 0 {
            report.run(held)
            return
        }
        let bytes = model.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        print("wrote \(output): \(bytes.count) bytes, \(model.languages.count) languages (\(model.lanes.joined(separator: " ")))")
    }

    func withHanVariants(_ corpus: [(language: String, sentences: [String])]) -> [(language: String, sentences: [String])] {
        var out: [(language: String, sentences: [String])] = []
        for (lang, sentences) in corpus {
            if hanVariants, let (simplified, traditional) = LanguageTrainer.hanVariants(sentences) {
                // Chinese is written in two sets of characters; one profile per set lets a
                // text that mixes them (Japanese kanji: 国 next to 運) fit neither.
                out.append((lang + "-Hans", simplified))
                out.append((lang + "-Hant", traditional))
            } else {
                out.append((lang, sentences))
            }
        }
        return out
    }
}

/// Reading language identification text: folders of LANG.txt and the manifest.
enum LangIDData {
    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func folder(_ dir: String) throws -> [(language: String, sentences: [String])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".txt") }.sorted()
        guard !names.isEmpty else { throw ValidationError("no LANG.txt files in \(dir)") }
        return try names.map { (String($0.dropLast(4)), try lines(dir + "/" + $0)) }
    }

    /// The lines the manifest names for `role`, per language in manifest order.
    static func manifest(_ path: String, root: String, role: String) throws -> [(language: String, sentences: [String])] {
        var out: [(language: String, sentences: [String])] = []
        var cache: [String: [String]] = [:]
        for (n, row) in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").enumerated() {
            if row.hasPrefix("#") || row.isEmpty { continue }
            let cells = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 5, let first = Int(cells[3]), let last = Int(cells[4]), first >= 1, first <= last else {
                throw ValidationError("\(path):\(n + 1): expected language, role, file, first line, last line, ...")
            }
            guard cells[1] == role else { continue }
            let file = root + "/" + cells[2]
            if cache[file] == nil { cache[file] = try lines(file) }
            let all = cache[file]!
            guard last <= all.count else {
                throw ValidationError("\(path):\(n + 1): \(file) has \(all.count) lines, the row asks for \(first)-\(last)")
            }
            let picked = Array(all[(first - 1) ..< last])
            if let k = out.firstIndex(where: { $0.language == cells[0] }) {
                out[k].sentences += picked
            } else {
                out.append((cells[0], picked))
            }
        }
        return out
    }
}
