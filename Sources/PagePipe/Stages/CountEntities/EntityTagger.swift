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
        (self.dropped, self.narrow) = Self.narrowTable(weights, rows: 1 << bucketBits)
    }

    /// The tagger needs only which tag scores highest, and adding one
    /// constant to every tag's weight in a row leaves that unchanged (ties
    /// included). So each row is stored minus its weight for tag `dropped`,
    /// which leaves 16 weights a row: 32 bytes, never straddling two cache
    /// lines (17 Int16, 34 bytes, straddle half the time); reading the table
    /// is what the tagger spends its time on. The tag is chosen so that the
    /// differences fit Int16; `narrow` is nil (and `dropped` -1) when no tag
    /// allows that, and the tagger reads `weights` instead.
    let dropped: Int
    let narrow: NarrowTable?

    static func narrowTable(_ weights: [Int16], rows: Int) -> (Int, NarrowTable?) {
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
        guard let k = ok.lastIndex(of: true) else { return (-1, nil) }
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

    /// The model and gazetteer shipped as resource files (`ner-en.bin`,
    /// `gazetteer-en.txt`), read once per process; the failure names the file.
    public static let shared: Result<EntityTagger, ResourceError> = {
        do throws(ResourceError) {
            let (gazetteerPath, gazetteerBytes) = try Resources.load("gazetteer", language: "en", ext: "txt")
            guard let gazetteerText = String(validating: gazetteerBytes, as: UTF8.self) else {
                return .failure(.damaged(path: gazetteerPath, reason: "not UTF-8 text", remedy: "rebuild: scripts/build-gazetteers.py"))
            }
            let (modelPath, modelBytes) = try Resources.load("ner", language: "en", ext: "bin")
            do {
                return .success(try EntityTagger(modelBytes: modelBytes, gazetteer: Gazetteer(text: gazetteerText)))
            } catch {
                return .failure(.damaged(path: modelPath, reason: "\(error)", remedy: "retrain: pagepipe-dev train-ner"))
            }
        } catch {
            return .failure(error)
        }
    }()

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
        tagDocument(infos, sentences, narrowTable: true)
    }

    /// `narrowTable: false` reads the full table (for comparing speed; the same tags).
    public func tagDocument(_ infos: [TokenInfo], _ sentences: [Sentence], narrowTable: Bool) -> [Int] {
        let plain = Self.plainTokens(infos, sentences)
        if narrowTable && dropped >= 0 { return tagDocumentNarrow(infos, sentences, plain: plain) }
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
                        for i in lo..<hi where !plain[i] {
                            let nf = NERFeatures.extractStatic(ib, lo, hi, i, headline: s.headline, into: feats)
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
        return Self.twoPasses(infos) { decode($0, sentences, base: base, plain: plain) }
    }

    /// The first pass's tags become the second pass's document features.
    static func twoPasses(_ infos: [TokenInfo], _ decode: ([TokenInfo]) -> [Int]) -> [Int] {
        var second = infos
        NERFeatures.fillPredictionBits(&second, tags: decode(infos))
        return decode(second)
    }

    /// Tokens the document taggers leave outside any name without scoring them:
    /// lower-case words, numbers and punctuation whose neighbours in the
    /// sentence are too, outside headlines ("the", "of" in "said on the
    /// outskirts of the"). A name's lower-case word sits next to a capitalised
    /// one ("Bank of America"), so it is still scored. Skips about half the
    /// tokens of running text.
    static func plainTokens(_ infos: [TokenInfo], _ sentences: [Sentence]) -> [Bool] {
        var plain = [Bool](repeating: false, count: infos.count)
        for s in sentences where !s.headline {
            let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
            func lowerOrNoLetters(_ i: Int) -> Bool { infos[i].cap == .lower || infos[i].cap == .noLetters }
            for i in lo..<hi where lowerOrNoLetters(i) {
                plain[i] = (i == lo || lowerOrNoLetters(i - 1)) && (i + 1 == hi || lowerOrNoLetters(i + 1))
            }
        }
        return plain
    }

    /// Greedy left-to-right decoding from precomputed static scores.
    func decode(_ infos: [TokenInfo], _ sentences: [Sentence], base: [Int32], plain: [Bool]) -> [Int] {
        let nt = NERTags.count
        var tags = [Int](repeating: 0, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: 32)
        defer { feats.deallocate() }
        infos.withUnsafeBufferPointer { ib in
            weights.withUnsafeBufferPointer { wb in
                let raw = UnsafeRawPointer(wb.baseAddress!)
                base.withUnsafeBufferPointer { bb in
                    for s in sentences {
                        let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                        var p1 = 0, p2 = 0
                        for i in lo..<hi {
                            if plain[i] { p2 = p1; p1 = NERTags.outside; continue }
                            let nf = NERFeatures.extractHistory(ib, lo, hi, i, headline: s.headline, p1: p1, p2: p2, into: feats)
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

    /// `tagDocument` on the `narrow` table: the same tags.
    func tagDocumentNarrow(_ infos: [TokenInfo], _ sentences: [Sentence], plain: [Bool]) -> [Int] {
        var base = [SIMD16<Int32>](repeating: .zero, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        let mask = self.mask
        let table = narrow!.rows
        infos.withUnsafeBufferPointer { ib in
            base.withUnsafeMutableBufferPointer { bb in
                for s in sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    for i in lo..<hi where !plain[i] {
                        let nf = NERFeatures.extractStatic(ib, lo, hi, i, headline: s.headline, into: feats)
                        var acc = SIMD16<Int32>(repeating: 0)
                        for f in 0..<nf {
                            acc &+= SIMD16<Int32>(truncatingIfNeeded: table[Int(feats[f] & mask)])
                        }
                        bb[i] = acc
                    }
                }
            }
        }
        return Self.twoPasses(infos) { decodeNarrow($0, sentences, base: base, plain: plain) }
    }

    /// `decode` on the `narrow` table.
    func decodeNarrow(_ infos: [TokenInfo], _ sentences: [Sentence], base: [SIMD16<Int32>], plain: [Bool]) -> [Int] {
        var tags = [Int](repeating: 0, count: infos.count)
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: 32)
        defer { feats.deallocate() }
        let mask = self.mask
        let k = dropped
        let table = narrow!.rows
        infos.withUnsafeBufferPointer { ib in
            base.withUnsafeBufferPointer { bb in
                for s in sentences {
                    let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
                    var p1 = 0, p2 = 0
                    for i in lo..<hi {
                        if plain[i] { p2 = p1; p1 = NERTags.outside; continue }
                        let nf = NERFeatures.extractHistory(ib, lo, hi, i, headline: s.headline, p1: p1, p2: p2, into: feats)
                        var acc = bb[i]
                        for f in 0..<nf {
                            acc &+= SIMD16<Int32>(truncatingIfNeeded: table[Int(feats[f] & mask)])
                        }
                        // As `decode`: the highest score, the lowest tag on a tie. Tag k
                        // scores 0; the 16 others, in order, are tags 0...16 without k.
                        let top = max(acc.max(), 0)
                        var best = top == 0 ? k : NERTags.count
                        for t in 0..<16 where acc[t] == top { best = min(best, t < k ? t : t &+ 1); break }
                        tags[i] = best
                        p2 = p1; p1 = best
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
                        let nf = NERFeatures.extract(ib, lo, hi, i, headline: s.headline, p1: p1, p2: p2, into: feats)
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
    /// tags `a` and `b` (in extraction order), as the one-pass tagger sees it.
    public func contributions(_ infos: [TokenInfo], _ sentence: Sentence, _ i: Int, p1: Int, p2: Int,
                              _ a: Int, _ b: Int) -> [(Float, Float)] {
        let feats = UnsafeMutablePointer<UInt64>.allocate(capacity: NERFeatures.maxFeatures)
        defer { feats.deallocate() }
        let nf = infos.withUnsafeBufferPointer { ib in
            NERFeatures.extract(ib, sentence.tokens.lowerBound, sentence.tokens.upperBound, i, headline: sentence.headline,
                                p1: p1, p2: p2, into: feats)
        }
        return (0..<nf).map { f in
            let row = Int(feats[f] & mask) * NERTags.count
            return (Float(weights[row + a]) * scale, Float(weights[row + b]) * scale)
        }
    }
}
