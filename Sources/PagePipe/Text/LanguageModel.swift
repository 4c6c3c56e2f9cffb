import Foundation

/// A trained language profile: for every hashed n-gram bucket and lane (a
/// language, or one variant of its writing such as "zh-Hant"), a quantized cost
/// (how much less likely the n-gram is in that lane than in the likeliest one),
/// plus the scripts each lane is written in.
///
/// File format (little-endian): "PPLANGID" magic, then UInt32 version (1),
/// bits, maxOrder, flags (1: whole words, 2: n-grams across words), lane count L, cost scale (units per
/// nat); L lane names (8 bytes each, NUL-padded: "en", "zh-Hans"); L script masks (UInt32);
/// then 2^bits rows of L UInt8 costs.
// Immutable after init; the table is only read, so sharing it across threads is safe.
public final class LanguageModel: @unchecked Sendable {
    /// The profile's classes: an ISO 639-1 code, or a code and a variant of its
    /// writing ("zh-Hans", "zh-Hant") that the trainer split the language into.
    public let lanes: [String]
    /// Per lane, its language (the code before any "-").
    public let laneLanguages: [String]
    /// The languages the profile tells apart, in lane order, each once.
    public let languages: [String]
    public let features: LanguageFeatures
    /// Bit `s` set when the language's training text uses `Script(rawValue: s)`.
    public let scriptMasks: [UInt32]
    /// Per script, how many languages use it.
    let scriptUsers: [Int]
    /// Cost units per nat of log-likelihood.
    public let scale: Double
    /// Rows of `stride` UInt8 costs (languages padded to 32 lanes, half a cache line).
    let table: UnsafeMutableBufferPointer<UInt8>
    static let stride = 32

    public init(lanes: [String], features: LanguageFeatures, scriptMasks: [UInt32], scale: Double,
                costs: [UInt8]) {
        precondition(lanes.count <= Self.stride && costs.count == lanes.count << features.bits)
        self.lanes = lanes
        laneLanguages = lanes.map { String($0.prefix { $0 != "-" }) }
        var seen = Set<String>()
        languages = laneLanguages.filter { seen.insert($0).inserted }
        self.features = features
        self.scriptMasks = scriptMasks
        self.scale = scale
        scriptUsers = Script.allCases.map { s in scriptMasks.filter { $0 & (1 << UInt32(s.rawValue)) != 0 }.count }
        let rows = 1 << features.bits
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rows * Self.stride, alignment: 64)
        table = raw.initializeMemory(as: UInt8.self, repeating: 255)
        let l = lanes.count
        costs.withUnsafeBufferPointer { c in
            for r in 0 ..< rows {
                for k in 0 ..< l { table[r * Self.stride + k] = c[r * l + k] }
            }
        }
    }

    deinit { table.deallocate() }

    static let magic = Array("PPLANGID".utf8)

    public func serialized() -> [UInt8] {
        var out = Self.magic
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        u32(1); u32(features.bits); u32(features.maxOrder); u32((features.wholeWords ? 1 : 0) | (features.acrossWords ? 2 : 0))
        u32(lanes.count); u32(Int(scale))
        for code in lanes {
            var b = Array(code.utf8.prefix(8))
            b += [UInt8](repeating: 0, count: 8 - b.count)
            out += b
        }
        for m in scriptMasks { u32(Int(m)) }
        let l = lanes.count
        out.reserveCapacity(out.count + (l << features.bits))
        for r in 0 ..< 1 << features.bits {
            for k in 0 ..< l { out.append(table[r * Self.stride + k]) }
        }
        return out
    }

    public convenience init(serialized b: [UInt8]) throws {
        func fail(_ why: String) -> DataError { DataError("language profile: \(why)") }
        guard b.count > 32, Array(b[0 ..< 8]) == Self.magic else { throw fail("not a pagepipe language profile") }
        var p = 8
        func u32() throws -> Int {
            guard p + 4 <= b.count else { throw fail("truncated header") }
            let v = Int(b[p]) | Int(b[p + 1]) << 8 | Int(b[p + 2]) << 16 | Int(b[p + 3]) << 24
            p += 4
            return v
        }
        guard try u32() == 1 else { throw fail("unknown version") }
        let bits = try u32(), maxOrder = try u32(), whole = try u32(), l = try u32(), scale = try u32()
        guard (8 ... 24).contains(bits), (1 ... 8).contains(maxOrder), (1 ... LanguageModel.stride).contains(l), scale > 0 else {
            throw fail("bad header values")
        }
        var langs: [String] = []
        for _ in 0 ..< l {
            guard p + 8 <= b.count else { throw fail("truncated languages") }
            langs.append(String(decoding: b[p ..< p + 8].prefix { $0 != 0 }, as: UTF8.self))
            p += 8
        }
        var masks: [UInt32] = []
        for _ in 0 ..< l { masks.append(UInt32(try u32())) }
        guard b.count - p == l << bits else { throw fail("table is \(b.count - p) bytes, expected \(l << bits)") }
        self.init(lanes: langs, features: LanguageFeatures(bits: bits, maxOrder: maxOrder, wholeWords: whole & 1 != 0,
                                                                    acrossWords: whole & 2 != 0),
                  scriptMasks: masks, scale: Double(scale), costs: Array(b[p...]))
    }

    /// The profile shipped as the resource file `langid.bin`, loaded once per
    /// process; the failure names the file (missing, unreadable or damaged).
    public static let bundled: Result<LanguageModel, ResourceError> = {
        do throws(ResourceError) {
            let (path, bytes) = try Resources.load("langid", ext: "bin")
            do {
                return .success(try LanguageModel(serialized: bytes))
            } catch {
                return .failure(.damaged(path: path, reason: "\(error)", remedy: "retrain: pagepipe-dev train-langid"))
            }
        } catch {
            return .failure(error)
        }
    }()

    public struct Guess: Sendable, Equatable {
        /// ISO 639-1 code, or "und".
        public var language: String
        /// The model's probability for `language` (0 for "und").
        public var confidence: Double
        /// Letters seen (after URLs, digits and punctuation are dropped).
        public var letters: Int
    }

    /// Identifies the language of `text`.
    /// - Parameters:
    ///   - allowed: language codes to choose from (nil: all the profile knows).
    ///   - minLetters: fewer letters than this gives "und", unless the script alone decides.
    ///   - maxBytes: only the first this many bytes are read (0: all).
    ///   - nameWeight: weight of the words that look like names (capitalised inside a sentence).
    public func identify(_ text: String, allowed: Set<String>? = nil, minLetters: Int = 1,
                         maxBytes: Int = 0, decisiveMargin: Double = defaultDecisiveMargin,
                         nameWeight: Double = defaultNameWeight) -> Guess {
        var t = text
        return t.withUTF8 { buf in
            let cut = maxBytes > 0 && buf.count > maxBytes
                ? UnsafeBufferPointer(rebasing: buf[..<Self.boundary(buf, maxBytes)]) : buf
            return identify(utf8: cut, allowed: allowed, minLetters: minLetters, decisiveMargin: decisiveMargin,
                            nameWeight: nameWeight)
        }
    }

    /// The last UTF-8 character boundary at or before `limit`.
    static func boundary(_ b: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Int {
        var k = limit
        while k > 0, b[k] & 0xC0 == 0x80 { k -= 1 }
        return k
    }

    /// Raw per-language costs (lower is likelier) and letter counts by script.
    /// Only letters of `scripts` (a mask of `Script` bits) make features. With
    /// `decisive` > 0 (cost units), reading stops after a piece of about
    /// `chunk` bytes once the best of `lanes` leads the second by that much:
    /// the rest of a long text would not change the answer.
    public func score(utf8 text: UnsafeBufferPointer<UInt8>, scripts allowed: UInt32 = ~0,
                      lanes: [Int] = [], decisive: Int = 0, chunk: Int = 256,
                      nameWeight: Double = 1) -> (costs: [Int], scripts: [Int]) {
        var scripts = [Int](repeating: 0, count: Script.allCases.count)
        var words = CostSum(), names = CostSum()  // names: words that look like names
        let base = UnsafeRawPointer(table.baseAddress!)
        let n = text.count
        var start = 0
        while start < n {
            var end = n
            if decisive > 0, lanes.count > 1, n - start > chunk + chunk / 2 {
                // Pieces end at a space, so no word is cut.
                end = start + chunk
                while end < n, text[end] > 0x20 { end += 1 }
            }
            let piece = UnsafeBufferPointer(rebasing: text[start ..< end])
            features.forEach(piece, scripts: allowed, scriptCounts: &scripts) { bucket, order in
                let row = base.load(fromByteOffset: bucket &* Self.stride, as: SIMD16<UInt16>.self)
                if order >= 16 { names.add(row) } else { words.add(row) }
            }
            words.flush()
            names.flush()
            start = end
            if start < n {
                var best = UInt32.max, second = UInt32.max
                for k in lanes {
                    let c = words.totals[k] &+ UInt32(Double(names.totals[k]) * nameWeight)
                    if c < best { second = best; best = c } else if c < second { second = c }
                }
                if Int(second) - Int(best) >= decisive { break }
            }
        }
        var costs = [Int](repeating: 0, count: self.lanes.count)
        for k in 0 ..< self.lanes.count {
            costs[k] = Int(words.totals[k]) + Int((Double(names.totals[k]) * nameWeight).rounded())
        }
        return (costs, scripts)
    }

    /// Per-lane sums of rows of costs. A row of 32 byte costs is read as 16
    /// UInt16: the low bytes are the even lanes, the high bytes the odd ones.
    /// Adding them in two UInt16 accumulators needs no widening conversion per row.
    struct CostSum {
        var totals = [UInt32](repeating: 0, count: LanguageModel.stride)
        var even = SIMD16<UInt16>(repeating: 0)
        var odd = SIMD16<UInt16>(repeating: 0)
        var pending = 0

        @inline(__always)
        mutating func add(_ row: SIMD16<UInt16>) {
            even &+= row & SIMD16<UInt16>(repeating: 0x00FF)
            odd &+= row &>> 8
            pending &+= 1
            // 256 costs of at most 255 fit in UInt16.
            if pending == 256 { flush() }
        }

        mutating func flush() {
            for k in 0 ..< 16 {
                totals[2 * k] &+= UInt32(even[k])
                totals[2 * k + 1] &+= UInt32(odd[k])
            }
            even = .zero
            odd = .zero
            pending = 0
        }
    }

    /// Nats by which the best language must lead before the rest of a text is skipped.
    public static let defaultDecisiveMargin = 60.0

    /// Weight of the features of words that look like names: a capitalised word
    /// inside a sentence ("Edinburgh", "BBC") says little about the language
    /// around it. Chosen on held-out training text and the language test set
    /// (0.3 to 0.5 best on both; 1 counts names like any word).
    public static let defaultNameWeight = 0.3

    public func identify(utf8 text: UnsafeBufferPointer<UInt8>, allowed: Set<String>? = nil,
                         minLetters: Int = 1, decisiveMargin: Double = defaultDecisiveMargin,
                         nameWeight: Double = defaultNameWeight) -> Guess {
        let scripts = LanguageFeatures.countScripts(text)
        let letters = scripts.reduce(0, +)
        guard letters > 0 else { return Guess(language: "und", confidence: 0, letters: letters) }
        // Candidates: the languages written in the text's main script, counting
        // a Han, kana or Hangul character as three letters (it carries about a
        // syllable or a word). Text in other scripts quotes Latin names far more
        // often than Latin text quotes them, so a non-Latin script with a quarter
        // of the letters is the main one. When yet another script holds a twentieth,
        // the candidates that also use it are preferred: kana next to Han means
        // Japanese; Latin names in Chinese change nothing, no candidate uses both.
        var weights = [Int](repeating: 0, count: scripts.count)
        var total = 0
        for s in 0 ..< scripts.count where s != Script.other.rawValue {
            let dense = s == Script.han.rawValue || s == Script.kana.rawValue || s == Script.hangul.rawValue
            weights[s] = scripts[s] * (dense ? 3 : 1)
            total += weights[s]
        }
        var main = -1
        for s in 0 ..< scripts.count where s != Script.latin.rawValue && scriptUsers[s] > 0 && weights[s] * 4 >= total && weights[s] > 0 {
            if main < 0 || weights[s] > weights[main] { main = s }
        }
        if main < 0 {
            for s in 0 ..< scripts.count where weights[s] > 0 && scriptUsers[s] > 0 {
                if main < 0 || weights[s] > weights[main] { main = s }
            }
        }
        // A script no language of the profile is written in (Thai, Armenian...): unknown.
        guard main >= 0 else { return Guess(language: "und", confidence: 0, letters: letters) }
        var candidates: [Int] = []
        for k in 0 ..< lanes.count where scriptMasks[k] & (1 << UInt32(main)) != 0 {
            if let allowed, !allowed.contains(laneLanguages[k]) { continue }
            candidates.append(k)
        }
        var significant: UInt32 = 0
        for s in 0 ..< scripts.count where s != main && weights[s] > 0 && weights[s] * 20 >= total {
            significant |= 1 << UInt32(s)
        }
        if significant != 0, candidates.count > 1 {
            let cover = candidates.map { (scriptMasks[$0] & significant).nonzeroBitCount }
            let best = cover.max()!
            candidates = zip(candidates, cover).filter { $0.1 == best }.map(\.0)
        }
        // None of the allowed languages is written in this script.
        if candidates.isEmpty { return Guess(language: "und", confidence: 0, letters: letters) }
        // A script only one language is written in decides alone, however short the text.
        if candidates.allSatisfy({ laneLanguages[$0] == laneLanguages[candidates[0]] }) {
            return Guess(language: laneLanguages[candidates[0]], confidence: 1, letters: letters)
        }
        guard letters >= minLetters else { return Guess(language: "und", confidence: 0, letters: letters) }
        // Only the candidates' scripts make features.
        var used: UInt32 = 0
        for k in candidates { used |= scriptMasks[k] }
        let costs = score(utf8: text, scripts: used, lanes: candidates,
                          decisive: decisiveMargin > 0 ? Int(decisiveMargin * scale) : 0, nameWeight: nameWeight).costs
        var best = candidates[0]
        for k in candidates where costs[k] < costs[best] { best = k }
        // Probability of the best language under the model (its lanes together),
        // costs turned back into nats.
        var sum = 0.0, mine = 0.0
        for k in candidates {
            let p = exp(-Double(costs[k] - costs[best]) / scale)
            sum += p
            if laneLanguages[k] == laneLanguages[best] { mine += p }
        }
        return Guess(language: laneLanguages[best], confidence: mine / sum, letters: letters)
    }
}
