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
        let tagger: EntityTagger
        switch EntityTagger.shared {
        case .success(let t): tagger = t
        case .failure(let e): throw e
        }
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
        // The same on the full 17-tag table (for comparison).
        measure("tagger, full weight table") {
            var n = 0
            for (scalars, toks, sents) in tokenized {
                let infos = EntityTagger.prepare(scalars, toks, sents, gazetteer: tagger.gazetteer)
                n &+= tagger.tagDocument(infos, sents, narrowTable: false).count
            }
            return n
        }
        measure("tokenizer") {
            texts.reduce(0) { $0 &+ Tokenizer.tokenize($1).tokens.count }
        }
        let stage = try CountEntities()
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
