import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev bench-ner`: CPU time of the entity tagger on one core.
struct BenchNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ner",
        abstract: "Measure count-entities speed in tokens per CPU-second (one thread).")

    @Option(help: "A CoNLL file (documents as ner_eval.py sends them) or, with --text, a plain text file.")
    var input = "../shared/data/ner/conll2003-dev.txt"
    @Flag(help: "Read --input as plain text, one document per blank-line-separated block.")
    var text = false
    @Option(help: "The model's language (ner-LANG.bin).")
    var language = "en"
    @Option(help: "A folder with ner-LANG.bin and gazetteer-LANG.txt instead of the shipped models.")
    var models = ""
    @Option(help: "Minimum CPU seconds per measurement.")
    var seconds = 3.0

    func run() throws {
        let raw = try String(contentsOfFile: input, encoding: .utf8)
        let texts: [String]
        if text {
            texts = raw.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        } else {
            texts = NERTrainer.readCoNLL(raw).map { String(String.UnicodeScalarView($0.scalars)) }
        }
        let store = models.isEmpty ? EntityModels.shipped : EntityModels(directory: models)
        let tagger = try loadTagger(store, language: language)
        let tokenized = texts.map { Tokenizer.tokenize($0) }
        let tokens = tokenized.reduce(0) { $0 + $1.tokens.count }
        print("\(texts.count) documents, \(tokens) tokens")

        func measure(_ label: String, _ body: () -> Int) {
            var checksum = body()  // warm up
            var rounds = 0
            let t0 = threadCPUTime()
            while threadCPUTime() - t0 < seconds { checksum &+= body(); rounds += 1 }
            let cpu = threadCPUTime() - t0
            print(String(format: "%@: %.0f tokens per CPU-second (%d rounds, %.2f s, checksum %d)",
                         label, Double(tokens * rounds) / cpu, rounds, cpu, checksum))
        }
        measure("tagger (features, gazetteer, two passes)") {
            var n = 0
            for (scalars, toks, sents) in tokenized {
                let infos = EntityTagger.prepare(scalars, toks, sents, gazetteer: tagger.gazetteer)
                n &+= tagger.tagDocument(infos, sents).count
            }
            return n
        }
        measure("tokenizer") {
            texts.reduce(0) { $0 &+ Tokenizer.tokenize($1).tokens.count }
        }
        var options = CountEntities.Options()
        options.defaultLanguage = language
        let stage = try CountEntities(options: options, models: store)
        measure("stage count-entities (tokenize, tag, merge, count)") {
            var n = 0
            for t in texts {
                var doc = Document(id: "bench")
                doc.text = t
                _ = try? stage.process(&doc)
                n &+= doc.mentions?.count ?? 0
            }
            return n
        }
    }
}

/// A language's tagger from a model store, or an error saying why there is none.
func loadTagger(_ store: EntityModels = .shipped, language: String) throws -> EntityTagger {
    guard let result = store.tagger(for: language) else {
        throw ValidationError("no entity model for language \"\(language)\"")
    }
    return try result.get()
}
