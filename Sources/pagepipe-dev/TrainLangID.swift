import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev train-langid`: trains the language profile from one
/// `LANG.txt` per language (a sentence a line) and writes it where the
/// normalize-language stage loads it. With `--dev N`, every Nth sentence is
/// held out and the accuracy on them (alone, in 5-sentence paragraphs, and
/// with diacritics stripped) is printed instead, for tuning.
struct TrainLangID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-langid",
        abstract: "Train the language identification profile (Resources/langid.bin).")

    @Option(help: "Folder of LANG.txt training files.")
    var data = "../shared/data/langid/train"
    @Option(help: "Where to write the profile.")
    var output = "Sources/PagePipe/Resources/langid.bin"
    @Option(help: "Hold out every Nth sentence and report accuracy on them instead of writing (0: off).")
    var dev = 0
    @Option(help: "Print the best languages' costs for this text instead of writing.")
    var explain: String?
    @Option(help: "Train on all of --data, report accuracy on this folder of LANG.txt files instead of writing.")
    var evaluate: String?
    @Flag(help: "With --dev, hold out every Nth sentence instead of the last 1/N of each file.")
    var interleaved = false
    @Option(help: "log2 of the number of hashed n-gram buckets.")
    var bits = LanguageTrainer.Settings().bits
    @Option(help: "Longest character n-gram.")
    var order = LanguageTrainer.Settings().maxOrder
    @Flag(help: "Do not add whole words as features.")
    var noWords = false
    @Flag(help: "Let n-grams run on across the space between words.")
    var acrossWords = false
    @Option(help: "Comma-separated weights of whole words and of 1-, 2-, ... grams.")
    var orderWeights: String?
    @Option(help: "Per-language offsets, nats per feature, replacing the defaults: uk=0.2,ru=0.")
    var bias: String?
    @Option var alpha = LanguageTrainer.Settings().alpha
    @Option var scale = LanguageTrainer.Settings().scale
    @Option(help: "Weight of the diacritic-stripped copy of each sentence.")
    var stripped = LanguageTrainer.Settings().strippedWeight
    @Option var epochs = LanguageTrainer.Settings().epochs
    @Option var margin = LanguageTrainer.Settings().margin
    @Option var step = LanguageTrainer.Settings().step
    @Flag(inversion: .prefixedNo, help: "Train a language written in Han characters without kana as two profiles, simplified and traditional (each sentence converted both ways).")
    var hanVariants = true
    @Flag(help: "With --dev, print each misidentified sentence.")
    var showErrors = false

    func run() throws {
        var s = LanguageTrainer.Settings()
        s.bits = bits; s.maxOrder = order; s.wholeWords = !noWords; s.acrossWords = acrossWords
        if let orderWeights { s.orderWeights = orderWeights.split(separator: ",").compactMap { Double($0) } }
        s.alpha = alpha; s.scale = scale
        if bias != nil { s.bias = [:] }
        for item in bias?.split(separator: ",") ?? [] {
            let kv = item.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { s.bias[String(kv[0])] = v }
        }
        s.strippedWeight = stripped; s.epochs = epochs; s.margin = margin; s.step = step
        let names = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".txt") }.sorted()
        guard !names.isEmpty else { throw ValidationError("no LANG.txt files in \(data)") }
        var train: [(language: String, sentences: [String])] = []
        var held: [(language: String, sentences: [String])] = []
        for name in names {
            let text = try String(contentsOfFile: data + "/" + name, encoding: .utf8)
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var t: [String] = [], h: [String] = []
            // Held out: the last 1/N of the file (its own documents, as unseen text
            // would be), or with --interleaved every Nth sentence.
            let cut = dev > 0 ? lines.count - lines.count / dev : lines.count
            for (k, line) in lines.enumerated() {
                let held = dev > 0 && (interleaved ? k % dev == 0 : k >= cut)
                if held { h.append(line) } else { t.append(line) }
            }
            let lang = String(name.dropLast(4))
            if hanVariants, let (simplified, traditional) = LanguageTrainer.hanVariants(t) {
                // Chinese is written in two sets of characters; one profile per set lets a
                // text that mixes them (Japanese kanji: 国 next to 運) fit neither.
                train.append((lang + "-Hans", simplified))
                train.append((lang + "-Hant", traditional))
            } else {
                train.append((lang, t))
            }
            held.append((lang, h))
        }
        let start = Date()
        let model = LanguageTrainer(settings: s).train(train) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        FileHandle.standardError.write(Data(String(format: "trained in %.1f s\n", Date().timeIntervalSince(start)).utf8))
        if let explain {
            var t = explain
            let costs = t.withUTF8 { model.score(utf8: $0).costs }
            for (k, c) in zip(model.lanes, costs).sorted(by: { $0.1 < $1.1 }).prefix(5) {
                print(k, String(format: "%.1f nats", Double(c) / model.scale))
            }
            return
        }
        if let evaluate {
            var other: [(language: String, sentences: [String])] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: evaluate).filter({ $0.hasSuffix(".txt") }).sorted() {
                let lines = try String(contentsOfFile: evaluate + "/" + name, encoding: .utf8)
                    .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                other.append((String(name.dropLast(4)), lines))
            }
            report(model, other)
            return
        }
        if dev > 0 {
            report(model, held)
            return
        }
        let bytes = model.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        print("wrote \(output): \(bytes.count) bytes, \(model.languages.count) languages (\(model.lanes.joined(separator: " ")))")
    }

    func report(_ model: LanguageModel, _ held: [(language: String, sentences: [String])]) {
        var means = [0.0, 0.0, 0.0, 0.0]
        var confusions: [String: Int] = [:]
        for (lang, sentences) in held {
            let paragraphs = stride(from: 0, to: sentences.count, by: 5).map {
                sentences[$0 ..< min($0 + 5, sentences.count)].joined(separator: " ")
            }
            let strippedSentences = sentences.map { $0.folding(options: .diacriticInsensitive, locale: nil) }
            let long = sentences.filter { $0.count >= 60 }
            var accs: [Double] = []
            for (set, note) in [(sentences, true), (paragraphs, false), (strippedSentences, false), (long, false)] {
                var ok = 0
                for t in set {
                    let g = model.identify(t).language
                    if g == lang { ok += 1 } else if note {
                        confusions["\(lang)->\(g)", default: 0] += 1
                        if showErrors { print("  \(lang)->\(g): \(t.prefix(100))") }
                    }
                }
                accs.append(Double(ok) / Double(max(1, set.count)))
            }
            for k in 0 ..< 4 { means[k] += accs[k] / Double(held.count) }
            print(String(format: "%@ %6.2f %6.2f %6.2f %6.2f  (%d)", lang, 100 * accs[0], 100 * accs[1], 100 * accs[2], 100 * accs[3], sentences.count))
        }
        print(String(format: "mean sentence %.2f  paragraph-5 %.2f  stripped %.2f  60+ characters %.2f",
                     100 * means[0], 100 * means[1], 100 * means[2], 100 * means[3]))
        print("confusions: " + confusions.sorted { $0.value > $1.value }.prefix(15).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
