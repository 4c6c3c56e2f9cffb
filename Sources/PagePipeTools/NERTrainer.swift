import Foundation
import PagePipe

/// Trains the tagger from CoNLL files (used by `pagepipe-dev train-ner`).
public struct NERTrainer {
    public struct Doc {
        public var scalars: [Unicode.Scalar]
        public var tokens: [Token]
        public var sentences: [Sentence]
        public var gold: [Int]
    }

    /// Reads a CoNLL file (word first, IOB tag last on each line, -DOCSTART-
    /// between documents) into documents laid out as ner_eval.py sends them:
    /// tokens joined by single spaces, one sentence a line.
    public static func readCoNLL(_ text: String) -> [Doc] {
        var docs: [Doc] = []
        var sents: [[(String, String)]] = []
        var cur: [(String, String)] = []
        func flushDoc() {
            if !cur.isEmpty { sents.append(cur); cur = [] }
            if sents.isEmpty { return }
            var scalars: [Unicode.Scalar] = []
            var tokens: [Token] = []
            var sentences: [Sentence] = []
            var gold: [Int] = []
            for (k, s) in sents.enumerated() {
                if k > 0 { scalars.append("\n") }
                let first = tokens.count
                for (j, (w, _)) in s.enumerated() {
                    if j > 0 { scalars.append(" ") }
                    let st = scalars.count
                    scalars.append(contentsOf: w.unicodeScalars)
                    tokens.append(Token(start: st, end: scalars.count))
                }
                sentences.append(Sentence(tokens: first..<tokens.count,
                                          headline: Tokenizer.isHeadline(scalars, tokens[first..<tokens.count])))
                gold.append(contentsOf: bilou(s.map { $0.1 }))
            }
            docs.append(Doc(scalars: scalars, tokens: tokens, sentences: sentences, gold: gold))
            sents = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.isEmpty { if !cur.isEmpty { sents.append(cur); cur = [] }; continue }
            if parts[0] == "-DOCSTART-" { flushDoc(); continue }
            cur.append((String(parts[0]), String(parts[parts.count - 1])))
        }
        flushDoc()
        return docs
    }

    /// IOB1/IOB2 tags to BILOU tag indices (conlleval's chunking).
    static func bilou(_ tags: [String]) -> [Int] {
        func split(_ t: String) -> (String, String) {
            if t == "O" || t.isEmpty { return ("O", "") }
            if let d = t.firstIndex(of: "-") { return (String(t[..<d]), String(t[t.index(after: d)...])) }
            return ("I", t)
        }
        var chunks: [(Int, Int, String)] = []
        var start = -1, curType = "", prevP = "O", prevT = ""
        for (i, tag) in (tags + ["O"]).enumerated() {
            let (p, t) = split(tag)
            let ends = prevP == "E" || prevP == "S" || ((prevP == "B" || prevP == "I") && (p == "B" || p == "S" || p == "O"))
                || (prevP != "O" && prevT != t)
            let begins = p == "B" || p == "S" || ((prevP == "E" || prevP == "S" || prevP == "O") && (p == "E" || p == "I"))
                || (p != "O" && prevT != t)
            if start >= 0 && ends { chunks.append((start, i - 1, curType)); start = -1 }
            if begins && p != "O" { start = i; curType = t }
            prevP = p; prevT = t
        }
        var out = [Int](repeating: 0, count: tags.count)
        for (a, b, t) in chunks {
            guard let ti = NERTags.types.firstIndex(where: { $0.rawValue == t }) else { continue }
            if a == b { out[a] = NERTags.unit(ti); continue }
            out[a] = NERTags.begin(ti)
            for k in (a + 1)..<b { out[k] = NERTags.inside(ti) }
            out[b] = NERTags.last(ti)
        }
        return out
    }

    public let bucketBits: Int
    let mask: UInt64
    var w: [Float]
    var u: [Double]
    var steps: Double = 1

    public init(bucketBits: Int) {
        self.bucketBits = bucketBits
        mask = (1 << UInt64(bucketBits)) - 1
        w = [Float](repeating: 0, count: (1 << bucketBits) * NERTags.count)
        u = [Double](repeating: 0, count: w.count)
    }

    /// One pass over the documents in the given order; returns the number of token mistakes.
    public mutating func epoch(_ docs: [Doc], infos: [[TokenInfo]], order: [Int]) -> Int {
        let nt = NERTags.count
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        var scores = [Float](repeating: 0, count: nt)
        var mistakes = 0
        for d in order {
            let doc = docs[d]
            infos[d].withUnsafeBufferPointer { ib in
                for s in doc.sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    var p1 = 0, p2 = 0
                    for i in lo..<hi {
                        let nf = NERFeatures.extract(ib, lo, hi, i, headline: s.headline, p1: p1, p2: p2, into: feats)
                        for t in 0..<nt { scores[t] = 0 }
                        w.withUnsafeBufferPointer { wb in
                            for f in 0..<nf {
                                let row = Int(feats[f] & mask) * nt
                                for t in 0..<nt { scores[t] += wb[row + t] }
                            }
                        }
                        var best = -1
                        var bestScore = -Float.infinity
                        for t in 0..<nt where scores[t] > bestScore {
                            best = t; bestScore = scores[t]
                        }
                        let gold = doc.gold[i]
                        if best != gold {
                            mistakes += 1
                            for f in 0..<nf {
                                let row = Int(feats[f] & mask) * nt
                                w[row + gold] += 1; u[row + gold] += steps
                                w[row + best] -= 1; u[row + best] -= steps
                            }
                        }
                        steps += 1
                        // learn from its own history, as it will run
                        p2 = p1; p1 = best
                    }
                }
            }
        }
        return mistakes
    }

    public func averaged() -> [Float] {
        var avg = [Float](repeating: 0, count: w.count)
        for k in w.indices { avg[k] = Float(Double(w[k]) - u[k] / steps) }
        return avg
    }

    /// Averaged weights quantized to Int16, linearly.
    public func averagedQuantized() -> (weights: [Int16], scale: Float) { Self.quantize(averaged()) }

    public static func quantize(_ avg: [Float]) -> (weights: [Int16], scale: Float) {
        var maxAbs: Float = 0
        for a in avg { maxAbs = max(maxAbs, abs(a)) }
        let scale = max(maxAbs, 1e-6) / 32767
        return (avg.map { Int16(($0 / scale).rounded()) }, scale)
    }
}

/// A small deterministic generator (SplitMix64) for shuffling.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; return mix64(state &- 0x9E37_79B9_7F4A_7C15) }
}
