import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev check-ner-tokens`: where the tokenizer cuts a CoNLL text
/// differently from the file's own tokens (a name it cuts wrong can never be
/// scored right by ner_eval.py).
struct CheckNERTokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-ner-tokens",
        abstract: "List CoNLL tokens the count-entities tokenizer does not reproduce.")

    @Argument(help: "A CoNLL file.")
    var file = "../shared/data/ner/conll2003-dev.txt"

    func run() throws {
        var differences: [String: Int] = [:]
        var total = 0
        for doc in NERTrainer.readCoNLL(try String(contentsOfFile: file, encoding: .utf8)) {
            let text = String(String.UnicodeScalarView(doc.scalars))
            let mine = Set(Tokenizer.tokenize(text).tokens.map { [$0.start, $0.end] })
            for t in doc.tokens where !mine.contains([t.start, t.end]) {
                differences[String(String.UnicodeScalarView(doc.scalars[t.start..<t.end])), default: 0] += 1
                total += 1
            }
        }
        print("\(total) tokens cut differently")
        for (w, n) in differences.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(60) {
            print("\(n)\t\(w)")
        }
    }
}
