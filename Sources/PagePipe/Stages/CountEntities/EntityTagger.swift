import Foundation

/// The trained entity tagger: a greedy left-to-right averaged perceptron over
/// hashed features (NERFeatures), BILOU tags, weights quantized to Int16.
/// (Int8, even with square- or cube-root companding, cost 0.5-0.8 F1 on dev.)
///
/// Model file (little-endian): "PPNER002", UInt32 bucket bits, UInt32 tag count,
/// Float32 scale, then 2^bits x tags Int16 weights, bucket-major.
public final class EntityTagger: Sendable {
    public let bucketBits: Int
    let mask: UInt64
    let weights: [Int16]
    public let scale: Float
    public let gazetteer: Gazetteer
    static let magic: [UInt8] = Array("PPNER002".utf8)

    public init(bucketBits: Int, weights: [Int16], scale: Float, gazetteer: Gazetteer) {
        precondition(NERTags.count == 17, "the scoring loops assume 17 tags")
        precondition(weights.count == (1 << bucketBits) * NERTags.count, "weight table size does not match bucket bits")
        self.bucketBits = bucketBits
        self.mask = (1 << UInt64(bucketBits)) - 1
        self.weights = weights
        self.scale = scale
        self.gazetteer = gazetteer
    }

    /// The model and gazetteer shipped in Resources, read once per process;
    /// nil (with the reason) when a file is missing or damaged.
    public static let shared: Result<EntityTagger, PageError> = {
        guard let modelURL = Bundle.module.url(forResource: "ner-en", withExtension: "bin") else {
            return .failure(PageError("count-entities: model file ner-en.bin missing from resources"))
        }
        let gazetteer = Bundle.module.url(forResource: "gazetteer-en", withExtension: "txt")
            .flatMap { try? String(contentsOf: $0, encoding: .utf8) }.map(Gazetteer.init(text:)) ?? Gazetteer()
        do {
            return .success(try EntityTagger(modelData: try Data(contentsOf: modelURL), gazetteer: gazetteer))
        } catch let e as PageError {
            return .failure(e)
        } catch {
            return .failure(PageError("count-entities: cannot read ner-en.bin: \(error)"))
        }
    }()

    public convenience init(modelData data: Data, gazetteer: Gazetteer) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 20, Array(bytes[0..<8]) == Self.magic else { throw PageError("ner model: not a PPNER002 file") }
        func u32(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24 }
        let bits = Int(u32(8)), tags = Int(u32(12))
        let scale = Float(bitPattern: u32(16))
        guard tags == NERTags.count, bits >= 10, bits <= 26, bytes.count == 20 + (1 << bits) * tags * 2 else {
            throw PageError("ner model: bad header (bits \(bits), tags \(tags), \(bytes.count) bytes)")
        }
        var w = [Int16](repeating: 0, count: (1 << bits) * tags)
        for k in w.indices { w[k] = Int16(bitPattern: UInt16(bytes[20 + 2 * k]) | UInt16(bytes[21 + 2 * k]) << 8) }
        self.init(bucketBits: bits, weights: w, scale: scale, gazetteer: gazetteer)
    }

    public static func serialize(bucketBits: Int, weights: [Int16], scale: Float) -> [UInt8] {
        var out = magic
        func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
        u32(UInt32(bucketBits)); u32(UInt32(NERTags.count)); u32(scale.bitPattern)
        out.reserveCapacity(out.count + 2 * weights.count)
        for v in weights { out.append(UInt8(UInt16(bitPattern: v) & 0xFF)); out.append(UInt8(UInt16(bitPattern: v) >> 8)) }
        return out
    }

    /// Token facts for a whole document: word hashes, document bits, gazetteer bits.
    public static func prepare(_ scalars: [Unicode.Scalar], _ tokens: [Token], _ sentences: [Sentence],
                               gazetteer: Gazetteer) -> [TokenInfo] {
        var infos = [TokenInfo](repeating: TokenInfo(), count: tokens.count)
        for s in sentences {
            for i in s.tokens { infos[i] = NERFeatures.info(scalars, tokens[i].start, tokens[i].end, capsLine: s.headline) }
        }
        NERFeatures.fillDocumentBits(&infos, sentences: sentences)
        for s in sentences { gazetteer.annotate(&infos, s.tokens, capsLine: s.headline) }
        return infos
    }

    /// Tags a document twice: the second pass sees how the first tagged each
    /// word's other occurrences ("Leeds" a team in one sentence is likely
    /// one in the next). The scores of the features that do not depend on
    /// tags are computed once and shared by both passes.
    public func tagDocument(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Int] {
        let nt = NERTags.count
        var base = [Int32](repeating: 0, count: infos.count * nt)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        infos.withUnsafeBufferPointer { ib in
            weights.withUnsafeBufferPointer { wb in
                let raw = UnsafeRawPointer(wb.baseAddress!)
                base.withUnsafeMutableBufferPointer { bb in
                    for s in sentences {
                        let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                        for i in lo..<hi {
                            let nf = NERFeatures.extractStatic(ib, lo, hi, i, capsLine: s.headline, into: feats)
                            // 17 tags: 16 in one vector, the 17th alone.
                            var acc = SIMD16<Int32>(repeating: 0)
                            var last: Int32 = 0
                            for f in 0..<nf {
                                let row = Int(feats[f] & mask) &* nt
                                acc &+= SIMD16<Int32>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: row &* 2, as: SIMD16<Int16>.self))
                                last &+= Int32(wb[row &+ 16])
                            }
                            let out = i &* nt
                            for t in 0..<16 { bb[out &+ t] = acc[t] }
                            bb[out &+ 16] = last
                        }
                    }
                }
            }
        }
        let first = decode(infos, sentences, base: base)
        var second = infos
        NERFeatures.fillPredictionBits(&second, tags: first)
        return decode(second, sentences, base: base)
    }

    /// Greedy left-to-right decoding from precomputed static scores.
    func decode(_ infos: [TokenInfo], _ sentences: [Sentence], base: [Int32]) -> [Int] {
        let nt = NERTags.count
        var tags = [Int](repeating: 0, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
        defer { feats.deallocate() }
        infos.withUnsafeBufferPointer { ib in
            weights.withUnsafeBufferPointer { wb in
                let raw = UnsafeRawPointer(wb.baseAddress!)
                base.withUnsafeBufferPointer { bb in
                    for s in sentences {
                        let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                        var p1 = 0, p2 = 0
                        for i in lo..<hi {
                            let nf = NERFeatures.extractHistory(ib, lo, hi, i, capsLine: s.headline, p1: p1, p2: p2, into: feats)
                            var acc = UnsafeRawPointer(bb.baseAddress! + i &* nt).loadUnaligned(as: SIMD16<Int32>.self)
                            var last = bb[i &* nt &+ 16]
                            for f in 0..<nf {
                                let row = Int(feats[f] & mask) &* nt
                                acc &+= SIMD16<Int32>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: row &* 2, as: SIMD16<Int16>.self))
                                last &+= Int32(wb[row &+ 16])
                            }
                            var best = 16
                            var bestScore = last
                            for t in 0..<16 where acc[t] >= bestScore && (acc[t] > bestScore || t < best) {
                                best = t; bestScore = acc[t]
                            }
                            tags[i] = best
                            p2 = p1; p1 = best
                        }
                    }
                }
            }
        }
        return tags
    }

    /// BILOU tags for every token of a document, in one pass (no document features).
    public func tag(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Int] {
        let nt = NERTags.count
        var tags = [Int](repeating: 0, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        var scores = [Int32](repeating: 0, count: nt)
        infos.withUnsafeBufferPointer { ib in
            weights.withUnsafeBufferPointer { wb in
                for s in sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    var p1 = 0, p2 = 0
                    for i in lo..<hi {
                        let nf = NERFeatures.extract(ib, lo, hi, i, capsLine: s.headline, p1: p1, p2: p2, into: feats)
                        for t in 0..<nt { scores[t] = 0 }
                        for f in 0..<nf {
                            let row = Int(feats[f] & mask) &* nt
                            for t in 0..<nt { scores[t] &+= Int32(wb[row &+ t]) }
                        }
                        var best = 0
                        var bestScore = Int32.min
                        for t in 0..<nt where scores[t] > bestScore {
                            best = t; bestScore = scores[t]
                        }
                        tags[i] = best
                        p2 = p1; p1 = best
                    }
                }
            }
        }
        return tags
    }
}

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
                        let nf = NERFeatures.extract(ib, lo, hi, i, capsLine: s.headline, p1: p1, p2: p2, into: feats)
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
