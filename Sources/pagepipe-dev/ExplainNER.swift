import ArgumentParser
import Foundation
import PagePipe

/// `pagepipe-dev explain-ner`: the tags of both tagging passes for each
/// capitalised token of a text, with its document and gazetteer bits, to see
/// where a name goes wrong (the first pass, or the document-level second).
struct ExplainNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain-ner",
        abstract: "Print first- and second-pass entity tags of a text's capitalised tokens.")

    @Argument(help: "A plain text file (- for stdin).")
    var file = "-"
    @Option(help: "Also print, for tokens with this text, each feature's weight for U-PER and U-ORG (first pass).")
    var word = ""
    @Option(help: "A model file instead of the shipped one.")
    var model = ""

    func run() throws {
        let text = file == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            : try String(contentsOfFile: file, encoding: .utf8)
        var tagger: EntityTagger
        switch EntityTagger.shared {
        case .success(let t): tagger = t
        case .failure(let e): throw e
        }
        if !model.isEmpty {
            tagger = try EntityTagger(modelData: try Data(contentsOf: URL(fileURLWithPath: model)), gazetteer: tagger.gazetteer)
        }
        let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: tagger.gazetteer)
        let first = tagger.tag(infos, sentences)
        let second = tagger.tagDocument(infos, sentences)
        func name(_ t: Int) -> String {
            t == 0 ? "O" : ["B", "I", "L", "U"][NERTags.part(t) - 1] + "-" + NERTags.types[NERTags.type(t)].rawValue
        }
        for s in sentences {
            for i in s.tokens where infos[i].cap != .lower && infos[i].cap != .noLetters || first[i] != 0 || second[i] != 0 {
                let w = String(String.UnicodeScalarView(scalars[tokens[i].start..<tokens[i].end]))
                if w == word {
                    let c = tagger.contributions(infos, s, i, p1: i > s.tokens.lowerBound ? first[i - 1] : 0,
                                                 p2: i > s.tokens.lowerBound + 1 ? first[i - 2] : 0, NERTags.unit(0), NERTags.unit(1))
                    print(c.enumerated().map { String(format: "%d:%.0f/%.0f", $0.offset, $0.element.0, $0.element.1) }.joined(separator: " "))
                    print(String(format: "sum PER %.0f ORG %.0f", c.reduce(0) { $0 + $1.0 }, c.reduce(0) { $0 + $1.1 }))
                }
                print("\(w)\t\(name(first[i]))\t\(name(second[i]))\tdoc \(infos[i].doc.rawValue) gaz \(String(infos[i].gazetteer, radix: 2))\(s.headline ? " headline" : "")")
            }
        }
    }
}
