import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev train-ner`: trains the count-entities tagger from CoNLL files
/// and writes Sources/PagePipe/Resources/ner-en.bin. Deterministic given --seed.
struct TrainNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-ner",
        abstract: "Train the entity tagger (averaged perceptron) from CoNLL-2003 train + wikigold.")

    @Option(help: "Folder with conll2003-train.txt, wikigold.conll.txt and conll2003-dev.txt.")
    var data = "../shared/data/ner"
    @Option(help: "Training files inside --data, comma-separated.")
    var train = "conll2003-train.txt,wikigold.conll.txt"
    @Option(help: "Dev file inside --data, scored after each epoch (PER/LOC/ORG, gold tokens).")
    var dev = "conll2003-dev.txt"
    @Option(help: "Held-out files inside --data, comma-separated, scored after each epoch but never used to choose it (e.g. --train conll2003-train.txt --eval wikigold.conll.txt: how a CoNLL-only model does on text from another source).")
    var eval = ""
    @Option(help: "log2 of the number of feature buckets.")
    var bits = 17
    @Option(help: "Passes over the training data.")
    var epochs = 8
    @Option(help: "Folds for the first-pass predictions the second pass learns from.")
    var folds = 5
    @Option(help: "Epochs of each fold's first-pass model.")
    var foldEpochs = 6
    @Option(help: "Models trained in different orders and averaged.")
    var models = 5
    @Option(help: "Share of capitalised training words shown as unknown in each epoch.")
    var unknownRate = 0.15
    @Option(help: "Share of training sentences (outside headlines) also shown as headlines, where capitalisation says nothing: all-caps and title-case headlines, learned from running text.")
    var headlineRate = 0.15
    @Option(help: "Shuffling seed.")
    var seed: UInt64 = 1
    @Option(help: "Where to write the model.")
    var out = "Sources/PagePipe/Resources/ner-en.bin"
    @Option(help: "Gazetteer file.")
    var gazetteer = "Sources/PagePipe/Resources/gazetteer-en.txt"

    func run() throws {
        let gaz = Gazetteer(text: try String(contentsOfFile: gazetteer, encoding: .utf8))
        print("gazetteer: \(gaz.count) phrases")
        var docs: [NERTrainer.Doc] = []
        for f in train.split(separator: ",") {
            let text = try String(contentsOfFile: data + "/" + f, encoding: .utf8)
            docs += NERTrainer.readCoNLL(text)
        }
        if headlineRate > 0 {
            // A separate generator, so the shuffling does not depend on it.
            var hrng = SeededRandom(seed: seed &+ 0x4EAD)
            let limit = UInt64(headlineRate * Double(UInt64.max >> 11))
            var copies: [NERTrainer.Doc] = []
            for d in docs {
                var c = d
                var any = false
                for k in c.sentences.indices where !c.sentences[k].headline && hrng.next() >> 11 < limit {
                    c.sentences[k].headline = true; any = true
                }
                if any { copies.append(c) }
            }
            docs += copies
            print("headline copies: \(copies.count) documents")
        }
        let devDocs = NERTrainer.readCoNLL(try String(contentsOfFile: data + "/" + dev, encoding: .utf8))
        let evalSets: [(name: String, docs: [NERTrainer.Doc], infos: [[TokenInfo]])] = try eval.split(separator: ",").map { f in
            let d = NERTrainer.readCoNLL(try String(contentsOfFile: f.hasPrefix("/") ? String(f) : data + "/" + f, encoding: .utf8))
            return (String(f), d, d.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) })
        }
        print("train: \(docs.count) documents, \(docs.reduce(0) { $0 + $1.tokens.count }) tokens; dev: \(devDocs.count) documents")
        let infos = docs.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) }
        let devInfos = devDocs.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) }
        var rng = SeededRandom(seed: seed)
        // Fisher-Yates with our own generator: the same order on every platform.
        func shuffle(_ a: inout [Int]) {
            for k in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(k, Int(rng.next() % UInt64(k + 1))) }
        }

        // 1. First-pass predictions for the second pass's document features,
        //    each fold tagged by a model that never saw it (as on new pages).
        var secondInfos = infos
        var all = Array(docs.indices)
        shuffle(&all)
        for k in 0..<folds {
            var part = NERTrainer(bucketBits: bits)
            var trainIdx = all.enumerated().filter { $0.offset % folds != k }.map(\.element)
            for _ in 0..<foldEpochs { shuffle(&trainIdx); _ = part.epoch(docs, infos: infos, order: trainIdx) }
            let (w, scale) = part.averagedQuantized()
            let tagger = EntityTagger(bucketBits: bits, weights: w, scale: scale, gazetteer: gaz)
            for (n, d) in all.enumerated() where n % folds == k {
                NERFeatures.fillPredictionBits(&secondInfos[d], tags: tagger.tag(infos[d], docs[d].sentences))
            }
            print("fold \(k + 1)/\(folds) tagged")
        }

        // 2. One model for both passes: every document is seen without and
        //    with first-pass features.
        //    With --models K, K models see the data in different orders and
        //    their averaged weights are averaged again (a cheap ensemble: the
        //    tagger's cost does not change).
        var trainers = (0..<models).map { _ in NERTrainer(bucketBits: bits) }
        let bothDocs = docs + docs
        let bothInfos = infos + secondInfos
        var order = Array(bothDocs.indices)
        var best: (f1: Double, epoch: Int, weights: [Int16], scale: Float, held: String)? = nil
        for e in 1...epochs {
            let t0 = Date()
            var mistakes = 0
            for m in trainers.indices {
                shuffle(&order)
                if unknownRate > 0 {
                    // Names unseen in training: some capitalised words lose their
                    // identity (keeping shape, affixes, gazetteer bits), so the
                    // model learns to read context rather than memorise names.
                    var dropped = bothInfos
                    let limit = UInt64(unknownRate * Double(UInt64.max >> 11))
                    for d in dropped.indices {
                        for k in dropped[d].indices where dropped[d][k].cap.isCapitalised {
                            if rng.next() >> 11 < limit { dropped[d][k].lower = 0x0DD0_0DD0 }
                        }
                    }
                    mistakes += trainers[m].epoch(bothDocs, infos: dropped, order: order)
                } else {
                    mistakes += trainers[m].epoch(bothDocs, infos: bothInfos, order: order)
                }
            }
            var avg = trainers[0].averaged()
            for m in trainers.indices.dropFirst() {
                let other = trainers[m].averaged()
                for k in avg.indices { avg[k] += other[k] }
            }
            let (w, scale) = NERTrainer.quantize(avg)
            let tagger = EntityTagger(bucketBits: bits, weights: w, scale: scale, gazetteer: gaz)
            let one = NEREvaluation.score(docs: devDocs) { tagger.tag(devInfos[$0], devDocs[$0].sentences) }
            let score = NEREvaluation.score(docs: devDocs) { tagger.tagDocument(devInfos[$0], devDocs[$0].sentences) }
            print(String(format: "epoch %d: %d mistakes, %.1fs, dev micro F1 %.2f (one pass %.2f)  (%@)", e, mistakes,
                         Date().timeIntervalSince(t0), score.micro * 100, one.micro * 100, score.perType))
            var held = ""
            for set in evalSets {
                let r = NEREvaluation.score(docs: set.docs) { tagger.tagDocument(set.infos[$0], set.docs[$0].sentences) }
                held += String(format: "%@ micro F1 %.2f (%@); ", set.name, r.micro * 100, r.perType)
            }
            if !held.isEmpty { print("  held out: " + held) }
            if best == nil || score.micro > best!.f1 { best = (score.micro, e, w, scale, held) }
        }
        // The epoch count is tuned on dev: the averaged weights of the best epoch are kept.
        guard let b = best else { return }
        let bytes = EntityTagger.serialize(bucketBits: bits, weights: b.weights, scale: b.scale)
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        print(String(format: "wrote %@ (%d bytes) from epoch %d, dev micro F1 %.2f", out, bytes.count, b.epoch, b.f1 * 100))
        if !b.held.isEmpty { print("held out at that epoch: " + b.held) }
    }
}

/// Span F1 over PER/LOC/ORG with gold tokens (the same metric as ner_eval.py,
/// which also puts the tokenizer to the test).
enum NEREvaluation {
    static func score(docs: [NERTrainer.Doc], tag: (Int) -> [Int]) -> (micro: Double, perType: String) {
        var tp = [Int](repeating: 0, count: 4), fp = tp, fn = tp
        for (d, doc) in docs.enumerated() {
            let pred = tag(d)
            let p = Set(NERTags.spans(pred).map { "\($0.0),\($0.1),\($0.2)" })
            let g = Set(NERTags.spans(doc.gold).map { "\($0.0),\($0.1),\($0.2)" })
            for s in p { let t = Int(s.split(separator: ",")[2])!; if g.contains(s) { tp[t] += 1 } else { fp[t] += 1 } }
            for s in g where !p.contains(s) { fn[Int(s.split(separator: ",")[2])!] += 1 }
        }
        func f1(_ a: Int, _ b: Int, _ c: Int) -> Double { a == 0 ? 0 : 2 * Double(a) / Double(2 * a + b + c) }
        let counted = [0, 1, 2]  // PER, ORG, LOC
        let micro = f1(counted.map { tp[$0] }.reduce(0, +), counted.map { fp[$0] }.reduce(0, +), counted.map { fn[$0] }.reduce(0, +))
        let per = counted.map { String(format: "%@ %.1f", NERTags.types[$0].rawValue, f1(tp[$0], fp[$0], fn[$0]) * 100) }.joined(separator: ", ")
        return (micro, per)
    }
}
