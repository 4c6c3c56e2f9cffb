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
    public let scale: Float
    public let gazetteer: Gazetteer
    static let magic: [UInt8] = Array("PPNER002".utf8)

    /// The tagger needs only which tag scores highest, and adding one
    /// constant to every tag's weight in a row leaves that unchanged (ties
    /// included). So each row is kept minus its weight for tag `dropped`,
    /// which leaves 16 weights a row: 32 bytes, never straddling two cache
    /// lines (17 Int16, 34 bytes, straddle half the time), one SIMD add per
    /// feature; reading the table is what the tagger spends its time on.
    /// `dropped` is a tag for which every difference fits Int16; the trainer
    /// quantizes so that any tag does (`NERTrainer.quantize`).
    let dropped: Int
    let table: NarrowTable

    public init(bucketBits: Int, weights: [Int16], scale: Float, gazetteer: Gazetteer) throws {
        precondition(NERTags.count == 17, "the scoring loop holds 16 tags in one vector and one implied")
        guard weights.count == (1 << bucketBits) * NERTags.count else {
            throw PageError("ner model: \(weights.count) weights for \(bucketBits) bucket bits")
        }
        guard let (k, table) = Self.narrowTable(weights, rows: 1 << bucketBits) else {
            throw PageError("ner model: the weights of one feature differ by more than Int16 holds for every tag; retrain it")
        }
        self.bucketBits = bucketBits
        self.mask = (1 << UInt64(bucketBits)) - 1
        self.scale = scale
        self.gazetteer = gazetteer
        self.dropped = k
        self.table = table
    }

    /// The last tag k for which every row's weights minus its weight for k fit
    /// Int16, and the table of those differences; nil when no tag fits.
    static func narrowTable(_ weights: [Int16], rows: Int) -> (Int, NarrowTable)? {
        let nt = NERTags.count
        // tag k works when max(row) - row[k] <= 32767 and min(row) - row[k] >= -32768 in every row
        var ok = [Bool](repeating: true, count: nt)
        for r in 0..<rows {
            var lo = Int32.max, hi = Int32.min
            for t in 0..<nt { let v = Int32(weights[r * nt + t]); lo = min(lo, v); hi = max(hi, v) }
            for k in 0..<nt where ok[k] {
                let v = Int32(weights[r * nt + k])
                if hi - v > 32767 || lo - v < -32768 { ok[k] = false }
            }
        }
        guard let k = ok.lastIndex(of: true) else { return nil }
        let table = NarrowTable(rows: rows)
        let out = table.weights
        for r in 0..<rows {
            let c = Int32(weights[r * nt + k])
            var j = 0
            for t in 0..<nt where t != k {
                out[r * 16 + j] = Int16(Int32(weights[r * nt + t]) - c); j += 1
            }
        }
        return (k, table)
    }

    public convenience init(modelData data: Data, gazetteer: Gazetteer) throws {
        try self.init(modelBytes: [UInt8](data), gazetteer: gazetteer)
    }

    public convenience init(modelBytes bytes: [UInt8], gazetteer: Gazetteer) throws {
        guard bytes.count >= 20, Array(bytes[0..<8]) == Self.magic else { throw DataError("ner model: not a PPNER002 file") }
        func u32(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24 }
        let bits = Int(u32(8)), tags = Int(u32(12))
        let scale = Float(bitPattern: u32(16))
        guard tags == NERTags.count, bits >= 10, bits <= 26, bytes.count == 20 + (1 << bits) * tags * 2 else {
            throw DataError("ner model: bad header (bits \(bits), tags \(tags), \(bytes.count) bytes)")
        }
        var w = [Int16](repeating: 0, count: (1 << bits) * tags)
        for k in w.indices { w[k] = Int16(bitPattern: UInt16(bytes[20 + 2 * k]) | UInt16(bytes[21 + 2 * k]) << 8) }
        try self.init(bucketBits: bits, weights: w, scale: scale, gazetteer: gazetteer)
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
            for i in s.tokens { infos[i] = NERFeatures.info(scalars, tokens[i].start, tokens[i].end, headline: s.headline) }
        }
        NERFeatures.fillDocumentBits(&infos, sentences: sentences)
        for s in sentences { gazetteer.annotate(&infos, s.tokens, headline: s.headline) }
        return infos
    }

    /// Tags a document twice: the second pass sees how the first tagged each
    /// word's other occurrences ("Leeds" a team in one sentence is likely
    /// one in the next). The scores of the features that do not depend on
    /// tags are computed once and shared by both passes.
    public func tagDocument(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Int] {
        tag(infos, sentences, passes: 2)
    }

    /// The first pass alone, exactly as `tagDocument` runs it: what the second
    /// pass's document features are made from, in training as in tagging.
    public func firstPass(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Int] {
        tag(infos, sentences, passes: 1)
    }

    func tag(_ infos: [TokenInfo], _ sentences: [Sentence], passes: Int) -> [Int] {
        let plain = Self.plainTokens(infos, sentences)
        let base = staticScores(infos, sentences, plain: plain)
        let first = decode(infos, sentences, base: base, plain: plain)
        if passes == 1 { return first }
        var second = infos
        NERFeatures.fillPredictionBits(&second, tags: first)
        return decode(second, sentences, base: base, plain: plain)
    }

    /// Tokens the tagger leaves outside any name without scoring them:
    /// lower-case words, numbers and punctuation whose neighbours in the
    /// sentence are too ("the", "of" in "said on the outskirts of the"), in
    /// sentences whose writer capitalises names: some word of two or more
    /// letters after the first is capitalised. A name's lower-case word sits
    /// next to a capitalised one ("Bank of America"), so it is still scored;
    /// headlines and text written in lower case ("saw justin bieber in
    /// paris") are scored throughout. Skips about 45% of the tokens of news
    /// text. The trainer skips the same tokens.
    public static func plainTokens(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Bool] {
        var plain = [Bool](repeating: false, count: infos.count)
        for s in sentences where !s.headline {
            let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
            guard lo + 1 < hi, (lo + 1..<hi).contains(where: { infos[$0].cap.isCapitalised && infos[$0].length >= 2 }) else { continue }
            func lowerOrNoLetters(_ i: Int) -> Bool { infos[i].cap == .lower || infos[i].cap == .noLetters }
            for i in lo..<hi where lowerOrNoLetters(i) {
                plain[i] = (i == lo || lowerOrNoLetters(i - 1)) && (i + 1 == hi || lowerOrNoLetters(i + 1))
            }
        }
        return plain
    }

    /// The one scoring loop: `acc` plus the table rows of `n` features.
    @inline(__always)
    func score(_ feats: UnsafePointer<UInt64>, _ n: Int, adding acc: SIMD16<Int32>) -> SIMD16<Int32> {
        let rows = table.rows
        var acc = acc
        for f in 0..<n { acc &+= SIMD16<Int32>(truncatingIfNeeded: rows[Int(feats[f] & mask)]) }
        return acc
    }

    /// The highest-scoring tag, the lowest on a tie. Tag `dropped` scores 0;
    /// the 16 lanes, in order, are tags 0...16 without it.
    @inline(__always)
    func best(_ acc: SIMD16<Int32>) -> Int {
        let top = max(acc.max(), 0)
        var best = top == 0 ? dropped : NERTags.count
        for t in 0..<16 where acc[t] == top { best = min(best, t < dropped ? t : t &+ 1); break }
        return best
    }

    /// Scores of the features that do not depend on tags, for every scored token.
    func staticScores(_ infos: [TokenInfo], _ sentences: [Sentence], plain: [Bool]) -> [SIMD16<Int32>] {
        var base = [SIMD16<Int32>](repeating: .zero, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        infos.withUnsafeBufferPointer { ib in
            base.withUnsafeMutableBufferPointer { bb in
                for s in sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    for i in lo..<hi where !plain[i] {
                        let nf = NERFeatures.extractStatic(ib, lo, hi, i, headline: s.headline, into: feats)
                        bb[i] = score(feats, nf, adding: .zero)
                    }
                }
            }
        }
        return base
    }

    /// Greedy left-to-right decoding: each token's static score plus its
    /// history features (previous tags, first-pass document bits).
    func decode(_ infos: [TokenInfo], _ sentences: [Sentence], base: [SIMD16<Int32>], plain: [Bool]) -> [Int] {
        var tags = [Int](repeating: 0, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        infos.withUnsafeBufferPointer { ib in
            base.withUnsafeBufferPointer { bb in
                for s in sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    var p1 = 0, p2 = 0
                    for i in lo..<hi {
                        if plain[i] { p2 = p1; p1 = NERTags.outside; continue }
                        let nf = NERFeatures.extractHistory(ib, lo, hi, i, headline: s.headline, p1: p1, p2: p2, into: feats)
                        let t = best(score(feats, nf, adding: bb[i]))
                        tags[i] = t
                        p2 = p1; p1 = t
                    }
                }
            }
        }
        return tags
    }
}

/// Weight rows of 16 Int16 on 32-byte boundaries, written once, then only read.
final class NarrowTable: @unchecked Sendable {
    let weights: UnsafeMutablePointer<Int16>
    var rows: UnsafePointer<SIMD16<Int16>> { UnsafeRawPointer(weights).assumingMemoryBound(to: SIMD16<Int16>.self) }

    init(rows: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: rows * 32, alignment: 64)
        weights = raw.initializeMemory(as: Int16.self, repeating: 0, count: rows * 16)
    }

    deinit { weights.deallocate() }
}

extension EntityTagger {
    /// For explaining a decision: the weight each feature of token `i` gives
    /// tags `a` and `b` (in extraction order) as the first pass sees it, each
    /// relative to tag `dropped` (only differences between tags matter).
    public func contributions(_ infos: [TokenInfo], _ sentence: Sentence, _ i: Int, p1: Int, p2: Int,
                              _ a: Int, _ b: Int) -> [(Float, Float)] {
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        let nf = infos.withUnsafeBufferPointer { ib in
            NERFeatures.extract(ib, sentence.tokens.lowerBound, sentence.tokens.upperBound, i, headline: sentence.headline,
                                p1: p1, p2: p2, into: feats)
        }
        func weight(_ row: SIMD16<Int16>, _ t: Int) -> Float { t == dropped ? 0 : Float(row[t < dropped ? t : t - 1]) * scale }
        return (0..<nf).map { f in
            let row = table.rows[Int(feats[f] & mask)]
            return (weight(row, a), weight(row, b))
        }
    }
}
