import ArgumentParser
import Foundation
import PagePipe
import PagePipeTools

/// `pagepipe-dev train-ner`: trains the count-entities tagger of one language
/// from CoNLL files and writes Sources/PagePipe/Resources/ner-LANG.bin, reading
/// gazetteer-LANG.txt beside it. Deterministic given --seed.
struct TrainNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-ner",
        abstract: "Train the entity tagger (averaged perceptron) from CoNLL files (English: news, web, social media).")

    @Option(help: "Folder with the training and dev files.")
    var data = "../shared/data/ner"
    @Option(help: "Training files inside --data, comma-separated; FILE*K reads a file K times (its weight in the mix).")
    var train = "conll2003-train.txt*3,wikigold.conll.txt,uner-ewt-train.txt,wnut17-train.txt,btc-train.txt"
    @Option(help: "Dev files inside --data, comma-separated, scored after each epoch (PER/LOC/ORG, gold tokens); the epoch with the best mean micro F1 over them is kept.")
    var dev = "conll2003-dev.txt,uner-ewt-dev.txt,wnut17-dev.txt,btc-dev.txt"
    @Option(help: "Held-out files inside --data, comma-separated, scored after each epoch but never used to choose it (e.g. --train conll2003-train.txt --eval wikigold.conll.txt: how a CoNLL-only model does on text from another source).")
    var eval = ""
    @Option(help: "log2 of the number of feature buckets.")
    var bits = 17
    @Option(help: "Passes over the training data.")
    var epochs = 6
    @Option(help: "Folds for the first-pass predictions the second pass learns from.")
    var folds = 5
    @Option(help: "Epochs of each fold's first-pass model.")
    var foldEpochs = 4
    @Option(help: "Models trained in different orders and averaged.")
    var models = 3
    @Option(help: "Share of capitalised training words shown as unknown in each epoch.")
    var unknownRate = 0.15
    @Option(help: "Share of training sentences (outside headlines) also shown as headlines, where capitalisation says nothing: all-caps and title-case headlines, learned from running text.")
    var headlineRate = 0.15
    @Option(help: "Shuffling seed.")
    var seed: UInt64 = 1
    @Option(help: "The model's language (ISO 639-1): count-entities uses it for pages in that language.")
    var language = "en"
    @Option(help: "Where to write the model (default: Sources/PagePipe/Resources/ner-LANG.bin).")
    var out = ""
    @Option(help: "Gazetteer file (default: Sources/PagePipe/Resources/gazetteer-LANG.txt; it ships with the model).")
    var gazetteer = ""

    func run() throws {
        let out = self.out.isEmpty ? "Sources/PagePipe/Resources/ner-\(language).bin" : self.out
        let gazetteer = self.gazetteer.isEmpty ? "Sources/PagePipe/Resources/gazetteer-\(language).txt" : self.gazetteer
        let gaz = Gazetteer(text: try String(contentsOfFile: gazetteer, encoding: .utf8))
        print("gazetteer: \(gaz.count) phrases")
        var docs: [NERTrainer.Doc] = []
        for item in train.split(separator: ",") {
            let parts = item.split(separator: "*")
            let text = try String(contentsOfFile: data + "/" + parts[0], encoding: .utf8)
            let read = NERTrainer.readCoNLL(text)
            for _ in 0..<(parts.count > 1 ? Int(parts[1]) ?? 1 : 1) { docs += read }
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
        let devSets: [(name: String, docs: [NERTrainer.Doc], infos: [[TokenInfo]])] = try dev.split(separator: ",").map { f in
            let d = NERTrainer.readCoNLL(try String(contentsOfFile: data + "/" + f, encoding: .utf8))
            return (String(f), d, d.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) })
        }
        let evalSets: [(name: String, docs: [NERTrainer.Doc], infos: [[TokenInfo]])] = try eval.split(separator: ",").map { f in
            let d = NERTrainer.readCoNLL(try String(contentsOfFile: f.hasPrefix("/") ? String(f) : data + "/" + f, encoding: .utf8))
            return (String(f), d, d.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) })
        }
        print("train: \(docs.count) documents, \(docs.reduce(0) { $0 + $1.tokens.count }) tokens")
        let infos = docs.map { EntityTagger.prepare($0.scalars, $0.tokens, $0.sentences, gazetteer: gaz) }
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
            let tagger = try EntityTagger(bucketBits: bits, weights: w, scale: scale, gazetteer: gaz)
            for (n, d) in all.enumerated() where n % folds == k {
                // exactly the first pass the tagger runs on a new page
                NERFeatures.fillPredictionBits(&secondInfos[d], tags: tagger.firstPass(infos[d], docs[d].sentences))
            }
            print("fold \(k + 1)/\(folds) tagged")
            fflush(nil)  // progress as it comes, also into a log file
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
            let tagger = try EntityTagger(bucketBits: bits, weights: w, scale: scale, gazetteer: gaz)
            print(String(format: "epoch %d: %d mistakes, %.1fs", e, mistakes, Date().timeIntervalSince(t0)))
            var mean = 0.0
            for set in devSets {
                let r = NEREvaluation.score(docs: set.docs) { tagger.tagDocument(set.infos[$0], set.docs[$0].sentences) }
                print(String(format: "  dev %@ micro F1 %.2f (%@)", set.name, r.micro * 100, r.perType))
                mean += r.micro / Double(devSets.count)
            }
            print(String(format: "  dev mean micro F1 %.2f", mean * 100))
            var held = ""
            for set in evalSets {
                let r = NEREvaluation.score(docs: set.docs) { tagger.tagDocument(set.infos[$0], set.docs[$0].sentences) }
                held += String(format: "%@ micro F1 %.2f (%@); ", set.name, r.micro * 100, r.perType)
            }
            if !held.isEmpty { print("  held out: " + held) }
            if best == nil || mean > best!.f1 { best = (mean, e, w, scale, held) }
            fflush(nil)
        }
        // The epoch count is tuned on dev: the averaged weights of the best epoch are kept.
        guard let b = best else { return }
        let bytes = EntityTagger.serialize(bucketBits: bits, weights: b.weights, scale: b.scale)
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        print(String(format: "wrote %@ (%d bytes) from epoch %d, dev mean micro F1 %.2f", out, bytes.count, b.epoch, b.f1 * 100))
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
        func pct(_ a: Int, _ b: Int) -> Double { a == 0 ? 0 : 100 * Double(a) / Double(a + b) }
        let counted = [0, 1, 2]  // PER, ORG, LOC
        let micro = f1(counted.map { tp[$0] }.reduce(0, +), counted.map { fp[$0] }.reduce(0, +), counted.map { fn[$0] }.reduce(0, +))
        let per = counted.map { String(format: "%@ P %.1f R %.1f F %.1f", NERTags.types[$0].rawValue, pct(tp[$0], fp[$0]),
                                       pct(tp[$0], fn[$0]), f1(tp[$0], fp[$0], fn[$0]) * 100) }.joined(separator: ", ")
        return (micro, per)
    }
}
