import ArgumentParser
import Foundation
import PagePipe

/// `pagepipe-dev eval-langid DIR...`: the shipped (or a given) language profile on
/// folders of LANG.txt files: accuracy per language on sentences and on
/// 5-sentence paragraphs, "und" rates, the confusion matrix of each group of
/// close relatives, and the reliability of `languageConfidence`.
struct EvalLangID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-langid",
        abstract: "Report language identification per language, per group of close relatives, and its calibration.")

    @Argument(help: "Folders of LANG.txt files (a sentence a line).")
    var folders: [String]
    @Option(help: "A profile file instead of the shipped one.")
    var model: String?
    @Option(help: "A confidence below this gives \"und\".")
    var minConfidence = NormalizeLanguage.defaultMinConfidence
    @Flag(help: "Print each misidentified sentence.")
    var showErrors = false
    @Flag(help: "The folders hold languages without a profile: report how much of them gets \"und\".")
    var unknown = false

    func run() throws {
        let m: LanguageModel
        if let model {
            m = try LanguageModel(serialized: [UInt8](try Data(contentsOf: URL(fileURLWithPath: model))))
        } else {
            m = try LanguageModel.bundled.get()
        }
        var report = LangIDReport(model: m, minConfidence: minConfidence, showErrors: showErrors)
        for dir in folders {
            print("== \(dir)")
            if unknown { report.unknown(try LangIDData.folder(dir)) } else { report.run(try LangIDData.folder(dir)) }
        }
    }
}

struct LangIDReport {
    let model: LanguageModel
    let minConfidence: Double
    let showErrors: Bool

    /// Close relatives whose confusions are reported as matrices (issue 14).
    static let groups: [[String]] = [
        ["da", "nb", "nn", "sv"], ["cs", "sk"], ["hr", "bs", "sr"], ["bg", "mk", "ru", "uk", "be"],
        ["id", "ms"], ["es", "ca", "pt"], ["fa", "ur", "ar"], ["hi", "mr"],
    ]

    func answer(_ text: String) -> LanguageModel.Analysis {
        model.analyze(text, minLetters: 3, minConfidence: minConfidence)
    }

    /// Accuracy per language (sentences and 5-sentence paragraphs), confusions, reliability.
    mutating func run(_ sets: [(language: String, sentences: [String])]) {
        var confusion: [String: [String: Int]] = [:]
        var bins = Array(repeating: (n: 0, right: 0), count: 6)
        let edges = [0.0, 0.5, 0.7, 0.9, 0.99, 0.999]
        var means = [0.0, 0.0, 0.0]
        var lines: [String] = []
        for (lang, sentences) in sets {
            var right = 0, und = 0
            for t in sentences {
                let a = answer(t)
                let g = a.guess.language
                confusion[lang, default: [:]][g, default: 0] += 1
                if g == lang { right += 1 }
                if g == "und" { und += 1 } else {
                    let b = edges.lastIndex { a.guess.confidence >= $0 }!
                    bins[b].n += 1
                    if g == lang { bins[b].right += 1 }
                }
                if g != lang, showErrors {
                    print(String(format: "  %@->%@ (%.2f, %@ %.1f): %@", lang, g, a.guess.confidence, a.second ?? "-",
                                 a.margin, String(t.prefix(100))))
                }
            }
            let paragraphs = stride(from: 0, to: sentences.count, by: 5).map {
                sentences[$0 ..< min($0 + 5, sentences.count)].joined(separator: " ")
            }
            let pRight = paragraphs.filter { answer($0).guess.language == lang }.count
            let n = Double(max(1, sentences.count))
            let acc = [Double(right) / n, Double(und) / n, Double(pRight) / Double(max(1, paragraphs.count))]
            for k in 0 ..< 3 { means[k] += acc[k] / Double(sets.count) }
            lines.append(String(format: "%@ %6.2f %6.2f %6.2f  (%d)", lang, 100 * acc[0], 100 * acc[2], 100 * acc[1], sentences.count))
        }
        print("lang sentence paragraph-5 und%  (sentences)")
        lines.forEach { print($0) }
        print(String(format: "mean sentence %.2f  paragraph-5 %.2f  und %.2f", 100 * means[0], 100 * means[2], 100 * means[1]))
        var pairs: [(String, Int)] = []
        for (gold, row) in confusion {
            for (guess, n) in row where guess != gold { pairs.append(("\(gold)->\(guess)", n)) }
        }
        print("confusions: " + pairs.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(25)
            .map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        for group in Self.groups where group.contains(where: { confusion[$0] != nil }) {
            print("group " + group.joined(separator: "/") + " (rows: truth; columns: answer)")
            print("      " + (group + ["other", "und"]).map { $0.padding(toLength: 6, withPad: " ", startingAt: 0) }.joined())
            for gold in group {
                guard let row = confusion[gold] else { continue }
                let other = row.filter { !group.contains($0.key) && $0.key != "und" }.values.reduce(0, +)
                let cells = group.map { row[$0, default: 0] } + [other, row["und", default: 0]]
                print(gold.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + cells.map { String($0).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined())
            }
        }
        print("reliability (sentences answered, by confidence):")
        for (k, b) in bins.enumerated() where b.n > 0 {
            let hi = k + 1 < edges.count ? String(format: "%.3f", edges[k + 1]) : "1"
            print(String(format: "  [%.3f, %@): %6d answers, %6.2f%% right", edges[k], hi, b.n, 100 * Double(b.right) / Double(b.n)))
        }
        let high = bins[3...].reduce((0, 0)) { ($0.0 + $1.n, $0.1 + $1.right) }
        print(String(format: "  confidence >= 0.9: %d answers, %.2f%% right", high.0, 100 * Double(high.1) / Double(max(1, high.0))))
    }

    /// For languages the profile does not know: how much of their text gets "und"
    /// (at the report's minimum confidence, and at others), and what the rest gets.
    func unknown(_ sets: [(language: String, sentences: [String])]) {
        let thresholds = [minConfidence, 0.05, 0.1, 0.2, 0.3, 0.5]
        var mean = [Double](repeating: 0, count: thresholds.count), meanP = 0.0
        for (lang, sentences) in sets {
            var und = [Int](repeating: 0, count: thresholds.count)
            var called: [String: Int] = [:]
            for t in sentences {
                let a = model.analyze(t, minLetters: 3)
                for (k, th) in thresholds.enumerated() where a.guess.language == "und" || a.guess.confidence < th { und[k] += 1 }
                if a.guess.language != "und", a.guess.confidence >= minConfidence { called[a.guess.language, default: 0] += 1 }
            }
            let paragraphs = stride(from: 0, to: sentences.count, by: 5).map {
                sentences[$0 ..< min($0 + 5, sentences.count)].joined(separator: " ")
            }
            let pUnd = paragraphs.filter { answer($0).guess.language == "und" }.count
            let rates = und.map { Double($0) / Double(max(1, sentences.count)) }
            let pRate = Double(pUnd) / Double(max(1, paragraphs.count))
            for k in 0 ..< rates.count { mean[k] += rates[k] / Double(sets.count) }
            meanP += pRate / Double(sets.count)
            print(String(format: "%@ und %6.2f%% of %d sentences, %6.2f%% of paragraphs; else ", lang, 100 * rates[0], sentences.count, 100 * pRate)
                + called.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        print(String(format: "mean und: sentences %.2f%%, paragraphs %.2f%%", 100 * mean[0], 100 * meanP))
        print("mean und of sentences by minimum confidence: " + zip(thresholds, mean).dropFirst()
            .map { String(format: "%.2f: %.2f%%", $0.0, 100 * $0.1) }.joined(separator: ", "))
    }
}
