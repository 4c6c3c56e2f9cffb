import Foundation

/// A trained language profile, in groups by script: the Latin group holds every
/// language written in Latin letters, the Cyrillic group those written in
/// Cyrillic, and so on; a language written in two scripts (Serbian) has a lane in
/// each. A text is scored only against the group of its main script. Each group
/// is a table of hashed n-gram buckets; per bucket and lane (a language, or one
/// variant of its writing such as "zh-Hant") a quantized cost (how much less
/// likely the n-gram is in that lane than in the group's likeliest one), and one
/// more byte, the "fit": how unlikely the n-gram is even in the likeliest lane.
/// The fit tells text that no lane knows (a language without a profile) from
/// text one lane knows well; `Calibration` turns costs and fit into the
/// probability that the answer is right.
///
/// File format (little-endian): "PPLANGID", UInt32 version (2), maxOrder, flags
/// (1: whole words, 2: n-grams across words), cost scale (units per nat), lane count
/// L; L lane names (8 bytes each, NUL-padded: "en", "zh-Hans", "sr-Cyrl"); L
/// script masks (UInt32, the scripts of the lane's training text); the
/// calibration (UInt32 count, then that many Float32); the group count G; per
/// group: key script, feature scripts mask, bits, lane count n, n lane indices,
/// fit offset and fit scale (Float32), then 2^bits rows of n costs and the fit byte.
// Immutable after init; the tables are only read, so sharing across threads is safe.
public final class LanguageModel: @unchecked Sendable {
    /// The profile's classes: an ISO 639-1 code, or a code and a variant of its
    /// writing ("zh-Hans", "sr-Latn").
    public let lanes: [String]
    /// Per lane, its language (the code before any "-").
    public let laneLanguages: [String]
    /// The languages the profile tells apart, in lane order, each once.
    public let languages: [String]
    /// Bit `s` set when the lane's training text uses `Script(rawValue: s)`.
    public let scriptMasks: [UInt32]
    public let maxOrder: Int
    public let wholeWords: Bool
    public let acrossWords: Bool
    /// Cost units per nat of log-likelihood.
    public let scale: Double
    public let calibration: Calibration
    public let groups: [Group]
    /// Per `Script` raw value, the index of the group keyed by it, or -1.
    let groupOfScript: [Int]

    /// One script's table.
    public struct Group: @unchecked Sendable {
        /// The script a text's main script must be for this group to score it.
        public let script: Script
        /// Scripts whose letters make features (the key, and kana for Han).
        public let featureScripts: UInt32
        /// Global lane indices, in table order.
        public let lanes: [Int]
        public let features: LanguageFeatures
        /// Units per nat of the fit byte, and the nats its 0 stands for.
        public let fitScale: Double
        public let fitOffset: Double
        /// Bytes per row: the lanes, the fit byte, padding to 16, 32 or 64.
        let stride: Int
        let table: UnsafeMutableBufferPointer<UInt8>
    }

    /// What the trainer gives for one group: `costs` holds 2^bits rows of
    /// lanes.count + 1 bytes (the lanes' costs, then the fit byte).
    public struct GroupTable {
        public var script: Script
        public var featureScripts: UInt32
        public var lanes: [Int]
        public var bits: Int
        public var fitScale: Double
        public var fitOffset: Double
        public var costs: [UInt8]
        public init(script: Script, featureScripts: UInt32, lanes: [Int], bits: Int, fitScale: Double,
                    fitOffset: Double, costs: [UInt8]) {
            self.script = script; self.featureScripts = featureScripts; self.lanes = lanes; self.bits = bits
            // Stored as Float32: a profile read from its file scores exactly as the one trained.
            self.fitScale = Double(Float(fitScale)); self.fitOffset = Double(Float(fitOffset)); self.costs = costs
        }
    }

    /// The most lanes one group can hold (one 64-byte row with its fit byte).
    public static let maxGroupLanes = 63

    public init(lanes: [String], scriptMasks: [UInt32], maxOrder: Int, wholeWords: Bool, acrossWords: Bool,
                scale: Double, calibration: Calibration, groups tables: [GroupTable]) {
        precondition(scriptMasks.count == lanes.count)
        self.lanes = lanes
        laneLanguages = lanes.map { String($0.prefix { $0 != "-" }) }
        var seen = Set<String>()
        languages = laneLanguages.filter { seen.insert($0).inserted }
        self.scriptMasks = scriptMasks
        self.maxOrder = maxOrder
        self.wholeWords = wholeWords
        self.acrossWords = acrossWords
        self.scale = scale
        self.calibration = calibration
        var byScript = [Int](repeating: -1, count: Script.allCases.count)
        var made: [Group] = []
        for t in tables {
            let n = t.lanes.count
            precondition((1 ... Self.maxGroupLanes).contains(n) && t.costs.count == (n + 1) << t.bits)
            let stride = n + 1 <= 16 ? 16 : n + 1 <= 32 ? 32 : 64
            let rows = 1 << t.bits
            // 64 bytes more: every row is read as 64 bytes (see `score`), the last one too.
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rows * stride + 64, alignment: 64)
            let table = raw.initializeMemory(as: UInt8.self, repeating: 255)
            t.costs.withUnsafeBufferPointer { c in
                for r in 0 ..< rows {
                    for k in 0 ... n { table[r * stride + k] = c[r * (n + 1) + k] }
                }
            }
            byScript[t.script.rawValue] = made.count
            made.append(Group(script: t.script, featureScripts: t.featureScripts, lanes: t.lanes,
                              features: LanguageFeatures(bits: t.bits, maxOrder: maxOrder, wholeWords: wholeWords,
                                                         acrossWords: acrossWords),
                              fitScale: t.fitScale, fitOffset: t.fitOffset, stride: stride, table: table))
        }
        groups = made
        groupOfScript = byScript
    }

    deinit { for g in groups { g.table.deallocate() } }

    /// The tables as the trainer gives them.
    func groupTables() -> [GroupTable] {
        groups.map { g in
            let n = g.lanes.count
            var costs = [UInt8]()
            costs.reserveCapacity((n + 1) << g.features.bits)
            for r in 0 ..< 1 << g.features.bits {
                for k in 0 ... n { costs.append(g.table[r * g.stride + k]) }
            }
            return GroupTable(script: g.script, featureScripts: g.featureScripts, lanes: g.lanes, bits: g.features.bits,
                              fitScale: g.fitScale, fitOffset: g.fitOffset, costs: costs)
        }
    }

    /// The same profile with another calibration.
    public func with(calibration: Calibration) -> LanguageModel {
        LanguageModel(lanes: lanes, scriptMasks: scriptMasks, maxOrder: maxOrder, wholeWords: wholeWords,
                      acrossWords: acrossWords, scale: scale, calibration: calibration, groups: groupTables())
    }

    static let magic = Array("PPLANGID".utf8)

    public func serialized() -> [UInt8] {
        var out = Self.magic
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func f32(_ v: Double) { u32(Int(Float(v).bitPattern)) }
        u32(2); u32(maxOrder); u32((wholeWords ? 1 : 0) | (acrossWords ? 2 : 0)); u32(Int(scale))
        u32(lanes.count)
        for code in lanes {
            var b = Array(code.utf8.prefix(8))
            b += [UInt8](repeating: 0, count: 8 - b.count)
            out += b
        }
        for m in scriptMasks { u32(Int(m)) }
        let cal = calibration.values
        u32(cal.count)
        for v in cal { f32(v) }
        u32(groups.count)
        for (g, t) in zip(groups, groupTables()) {
            u32(g.script.rawValue); u32(Int(g.featureScripts)); u32(g.features.bits); u32(g.lanes.count)
            for k in g.lanes { u32(k) }
            f32(g.fitOffset); f32(g.fitScale)
            out += t.costs
        }
        return out
    }

    public convenience init(serialized b: [UInt8]) throws {
        func fail(_ why: String) -> DataError { DataError("language profile: \(why)") }
        guard b.count > 32, Array(b[0 ..< 8]) == Self.magic else { throw fail("not a pagepipe language profile") }
        var p = 8
        func u32() throws -> Int {
            guard p + 4 <= b.count else { throw fail("truncated at byte \(p)") }
            let v = Int(b[p]) | Int(b[p + 1]) << 8 | Int(b[p + 2]) << 16 | Int(b[p + 3]) << 24
            p += 4
            return v
        }
        func f32() throws -> Double { Double(Float(bitPattern: UInt32(try u32()))) }
        let version = try u32()
        guard version == 2 else { throw fail("version \(version), this build reads version 2 (retrain: pagepipe-dev train-langid)") }
        let maxOrder = try u32(), flags = try u32(), scale = try u32(), l = try u32()
        guard (1 ... 8).contains(maxOrder), (1 ... 1024).contains(l), scale > 0 else { throw fail("bad header values") }
        var names: [String] = []
        for _ in 0 ..< l {
            guard p + 8 <= b.count else { throw fail("truncated lane names") }
            names.append(String(decoding: b[p ..< p + 8].prefix { $0 != 0 }, as: UTF8.self))
            p += 8
        }
        var masks: [UInt32] = []
        for _ in 0 ..< l { masks.append(UInt32(try u32())) }
        let c = try u32()
        guard c < 1 << 16 else { throw fail("bad calibration size") }
        var cal: [Double] = []
        for _ in 0 ..< c { cal.append(try f32()) }
        guard let calibration = Calibration(values: cal, lanes: l) else { throw fail("bad calibration") }
        let g = try u32()
        guard g <= Script.allCases.count else { throw fail("bad group count") }
        var tables: [GroupTable] = []
        var seenScripts = Set<Int>()
        for _ in 0 ..< g {
            let script = try u32(), featureScripts = try u32(), bits = try u32(), n = try u32()
            guard let s = Script(rawValue: script), seenScripts.insert(script).inserted, (8 ... 24).contains(bits),
                  (1 ... Self.maxGroupLanes).contains(n) else { throw fail("bad group header") }
            var lanes: [Int] = []
            for _ in 0 ..< n {
                let k = try u32()
                guard k < l else { throw fail("bad lane index") }
                lanes.append(k)
            }
            let offset = try f32(), fitScale = try f32()
            guard fitScale > 0 else { throw fail("bad fit scale") }
            let size = (n + 1) << bits
            guard p + size <= b.count else { throw fail("table of the \(s.name) group is truncated") }
            tables.append(GroupTable(script: s, featureScripts: UInt32(featureScripts), lanes: lanes, bits: bits,
                                     fitScale: fitScale, fitOffset: offset, costs: Array(b[p ..< p + size])))
            p += size
        }
        guard p == b.count else { throw fail("\(b.count - p) bytes after the last table") }
        self.init(lanes: names, scriptMasks: masks, maxOrder: maxOrder, wholeWords: flags & 1 != 0,
                  acrossWords: flags & 2 != 0, scale: Double(scale), calibration: calibration, groups: tables)
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
        /// The probability that `language` is right (0 for "und").
        public var confidence: Double
        /// Letters seen (after URLs, digits and punctuation are dropped).
        public var letters: Int
    }

    /// Everything the identifier saw, for evaluation and calibration.
    public struct Analysis: Sendable {
        public var guess: Guess
        /// The best language before any "und" for a low confidence (nil: none was scored).
        public var best: String?
        /// The second best language (nil: the script left only one).
        public var second: String?
        /// Nats by which `best` beats `second` (capped by the calibration).
        public var margin: Double
        /// Features read (names counted at their weight).
        public var features: Double
        /// Mean nats per feature by which the best lane fits the text worse than it
        /// fits held-out text of its own language (0 when it fits as well or better).
        public var misfit: Double
        /// Why the answer is "und", if it is.
        public var reason: String?
        /// The best lane (global index), and its mean nats per feature on the text.
        public var lane: Int?
        public var nll: Double = 0
        /// Mean nats per feature by which the best lane trails the likeliest lane of each bucket.
        public var ownCost: Double = 0
    }

    /// Identifies the language of `text`.
    /// - Parameters:
    ///   - allowed: language codes to choose from (nil: all the profile knows).
    ///   - minLetters: fewer letters than this gives "und", unless the script alone decides.
    ///   - minConfidence: a lower confidence gives "und".
    ///   - maxBytes: only the first this many bytes are read (0: all).
    ///   - nameWeight: weight of the words that look like names (capitalised inside a sentence).
    public func identify(_ text: String, allowed: Set<String>? = nil, minLetters: Int = 1,
                         minConfidence: Double = 0, maxBytes: Int = 0,
                         decisiveMargin: Double = defaultDecisiveMargin,
                         nameWeight: Double = defaultNameWeight) -> Guess {
        analyze(text, allowed: allowed, minLetters: minLetters, minConfidence: minConfidence, maxBytes: maxBytes,
                decisiveMargin: decisiveMargin, nameWeight: nameWeight).guess
    }

    public func analyze(_ text: String, allowed: Set<String>? = nil, minLetters: Int = 1,
                        minConfidence: Double = 0, maxBytes: Int = 0,
                        decisiveMargin: Double = defaultDecisiveMargin,
                        nameWeight: Double = defaultNameWeight) -> Analysis {
        var t = text
        return t.withUTF8 { buf in
            let cut = maxBytes > 0 && buf.count > maxBytes
                ? UnsafeBufferPointer(rebasing: buf[..<Self.boundary(buf, maxBytes)]) : buf
            return analyze(utf8: cut, allowed: allowed, minLetters: minLetters, minConfidence: minConfidence,
                           decisiveMargin: decisiveMargin, nameWeight: nameWeight)
        }
    }

    /// The last UTF-8 character boundary at or before `limit`.
    static func boundary(_ b: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Int {
        var k = limit
        while k > 0, b[k] & 0xC0 == 0x80 { k -= 1 }
        return k
    }

    /// Per-lane sums of a group's costs over a text.
    public struct GroupScore {
        /// Per lane of the group (table order), cost units; lower is likelier.
        public var costs: [Int]
        /// Sum of the fit bytes of the features read (fit units).
        public var fit: Double
        /// Features read, names counted at their weight.
        public var features: Double
    }

    /// Scores `text` against group `g`. Only letters of the group's feature scripts
    /// make features. With `decisive` > 0 (cost units), reading stops after a piece
    /// of about `chunk` bytes once the best of `candidates` (positions in the group)
    /// leads the second by that much: the rest of a long text would not change the answer.
    /// Every row is read as 64 bytes, whatever the group's stride: a group of
    /// fewer lanes reads the start of the next rows too and ignores them, and one
    /// loop serves every group.
    public func score(group g: Int, utf8 text: UnsafeBufferPointer<UInt8>, candidates: [Int] = [],
                      decisive: Int = 0, chunk: Int = 256, nameWeight: Double = 1) -> GroupScore {
        let group = groups[g]
        var scripts = [Int](repeating: 0, count: Script.allCases.count)
        // Bucket offsets of a piece, words and names apart (names: words that look
        // like names), then summed in a tight loop whose accumulators stay in registers.
        var words: [Int] = [], names: [Int] = []
        words.reserveCapacity(2048)
        names.reserveCapacity(256)
        var wordTotals = [UInt32](repeating: 0, count: 64), nameTotals = wordTotals
        var wordCount = 0, nameCount = 0
        let base = UnsafeRawPointer(group.table.baseAddress!)
        let stride = group.stride
        let n = text.count
        let fitLane = group.lanes.count
        var start = 0
        while start < n {
            var end = n
            if decisive > 0, candidates.count > 1, n - start > chunk + chunk / 2 {
                // Pieces end at a space, so no word is cut.
                end = start + chunk
                while end < n, text[end] > 0x20 { end += 1 }
            }
            let piece = UnsafeBufferPointer(rebasing: text[start ..< end])
            words.removeAll(keepingCapacity: true)
            names.removeAll(keepingCapacity: true)
            group.features.forEach(piece, scripts: group.featureScripts, scriptCounts: &scripts) { bucket, order in
                if order >= 16 { names.append(bucket &* stride) } else { words.append(bucket &* stride) }
            }
            wordCount += words.count
            nameCount += names.count
            Self.sum(base, words, &wordTotals)
            Self.sum(base, names, &nameTotals)
            start = end
            if start < n {
                var best = UInt32.max, second = UInt32.max
                for k in candidates {
                    let c = wordTotals[k] &+ UInt32(Double(nameTotals[k]) * nameWeight)
                    if c < best { second = best; best = c } else if c < second { second = c }
                }
                if Int(second) - Int(best) >= decisive { break }
            }
        }
        var costs = [Int](repeating: 0, count: fitLane)
        for k in 0 ..< fitLane {
            costs[k] = Int(wordTotals[k]) + Int((Double(nameTotals[k]) * nameWeight).rounded())
        }
        return GroupScore(costs: costs,
                          fit: Double(wordTotals[fitLane]) + Double(nameTotals[fitLane]) * nameWeight,
                          features: Double(wordCount) + Double(nameCount) * nameWeight)
    }

    /// Adds the 64-byte rows at `offsets` into `totals`, per byte. A row is read as
    /// UInt16s: the low bytes are the even lanes, the high bytes the odd ones;
    /// adding them in two UInt16 accumulators needs no widening per row, and 256
    /// costs of at most 255 fit in UInt16.
    static func sum(_ base: UnsafeRawPointer, _ offsets: [Int], _ totals: inout [UInt32]) {
        offsets.withUnsafeBufferPointer { o in
            var i = 0
            while i < o.count {
                let end = min(o.count, i + 256)
                // Two halves of 32 bytes: SIMD16<UInt16> compiles to plain vector
                // instructions, SIMD32 did not (80 times slower).
                var even0 = SIMD16<UInt16>(), odd0 = SIMD16<UInt16>()
                var even1 = SIMD16<UInt16>(), odd1 = SIMD16<UInt16>()
                let mask = SIMD16<UInt16>(repeating: 0x00FF)
                while i < end {
                    let low = base.load(fromByteOffset: o[i], as: SIMD16<UInt16>.self)
                    let high = base.load(fromByteOffset: o[i] + 32, as: SIMD16<UInt16>.self)
                    even0 &+= low & mask
                    odd0 &+= low &>> 8
                    even1 &+= high & mask
                    odd1 &+= high &>> 8
                    i += 1
                }
                for k in 0 ..< 16 {
                    totals[2 * k] &+= UInt32(even0[k])
                    totals[2 * k + 1] &+= UInt32(odd0[k])
                    totals[32 + 2 * k] &+= UInt32(even1[k])
                    totals[32 + 2 * k + 1] &+= UInt32(odd1[k])
                }
            }
        }
    }

    /// Nats by which the best language must lead before the rest of a text is skipped.
    public static let defaultDecisiveMargin = 60.0

    /// Weight of the features of words that look like names: a capitalised word
    /// inside a sentence ("Edinburgh", "BBC") says little about the language
    /// around it. Chosen on held-out training text and the language test set
    /// (0.3 to 0.5 best on both; 1 counts names like any word).
    public static let defaultNameWeight = 0.3

    /// A text in a script one language alone is written in is read this far at
    /// most: enough to judge whether the text fits that language at all.
    static let singleLanguageBytes = 4096

    public func identify(utf8 text: UnsafeBufferPointer<UInt8>, allowed: Set<String>? = nil,
                         minLetters: Int = 1, minConfidence: Double = 0,
                         decisiveMargin: Double = defaultDecisiveMargin,
                         nameWeight: Double = defaultNameWeight) -> Guess {
        analyze(utf8: text, allowed: allowed, minLetters: minLetters, minConfidence: minConfidence,
                decisiveMargin: decisiveMargin, nameWeight: nameWeight).guess
    }

    public func analyze(utf8 text: UnsafeBufferPointer<UInt8>, allowed: Set<String>? = nil,
                        minLetters: Int = 1, minConfidence: Double = 0,
                        decisiveMargin: Double = defaultDecisiveMargin,
                        nameWeight: Double = defaultNameWeight) -> Analysis {
        let scripts = LanguageFeatures.countScripts(text)
        let letters = scripts.reduce(0, +)
        func und(_ why: String, _ best: String? = nil) -> Analysis {
            Analysis(guess: Guess(language: "und", confidence: 0, letters: letters), best: best, second: nil,
                     margin: 0, features: 0, misfit: 0, reason: why, lane: nil)
        }
        guard letters > 0 else { return und("no letters") }
        // The main script: a script other than Latin with a quarter of the letters
        // (Han, kana and Hangul characters weigh three: each carries about a
        // syllable or a word), else the script of the most letters. Text in other
        // scripts quotes Latin names far more often than Latin text quotes them.
        var weights = [Int](repeating: 0, count: scripts.count)
        var total = 0
        for s in Script.allCases where scripts[s.rawValue] > 0 {
            weights[s.group.rawValue] += scripts[s.rawValue] * s.weight
            total += scripts[s.rawValue] * s.weight
        }
        var main = -1
        for s in 0 ..< scripts.count where s != Script.latin.rawValue && weights[s] > 0 && weights[s] * 4 >= total {
            if main < 0 || weights[s] > weights[main] { main = s }
        }
        if main < 0 {
            for s in 0 ..< scripts.count where weights[s] > 0 {
                if main < 0 || weights[s] > weights[main] { main = s }
            }
        }
        // A script no language of the profile is written in (Kannada, Sinhala...): unknown.
        let g = groupOfScript[main]
        guard g >= 0 else { return und("script \(Script(rawValue: main)!.name) has no profile") }
        let group = groups[g]
        var candidates: [Int] = []
        for (j, k) in group.lanes.enumerated() {
            if let allowed, !allowed.contains(laneLanguages[k]) { continue }
            candidates.append(j)
        }
        // A script of the group other than its key that holds a twentieth of the
        // letters (kana next to Han) prefers the lanes written in it: Japanese.
        var significant: UInt32 = 0
        for s in Script.allCases where s.group.rawValue == main && s.rawValue != main
            && scripts[s.rawValue] * s.weight * 20 >= total && scripts[s.rawValue] > 0 {
            significant |= 1 << UInt32(s.rawValue)
        }
        if significant != 0, candidates.count > 1 {
            let cover = candidates.map { (scriptMasks[group.lanes[$0]] & significant).nonzeroBitCount }
            let best = cover.max()!
            candidates = zip(candidates, cover).filter { $0.1 == best }.map(\.0)
        }
        // None of the allowed languages is written in this script.
        if candidates.isEmpty { return und("no allowed language is written in \(Script(rawValue: main)!.name)") }
        let single = candidates.allSatisfy { laneLanguages[group.lanes[$0]] == laneLanguages[group.lanes[candidates[0]]] }
        // A script only one language is written in decides alone, however short the text.
        if !single, letters < minLetters { return und("fewer than \(minLetters) letters") }
        let read = single && text.count > Self.singleLanguageBytes
            ? UnsafeBufferPointer(rebasing: text[..<Self.boundary(text, Self.singleLanguageBytes)]) : text
        let s = score(group: g, utf8: read, candidates: candidates,
                      decisive: decisiveMargin > 0 ? Int(decisiveMargin * scale) : 0, nameWeight: nameWeight)
        // Best lane, and the best lane of another language.
        var best = candidates[0]
        for j in candidates where s.costs[j] < s.costs[best] { best = j }
        let bestLanguage = laneLanguages[group.lanes[best]]
        var second = -1
        for j in candidates where laneLanguages[group.lanes[j]] != bestLanguage {
            if second < 0 || s.costs[j] < s.costs[second] { second = j }
        }
        let margin = second < 0 ? calibration.marginCap : min(calibration.marginCap, Double(s.costs[second] - s.costs[best]) / scale)
        var misfit = 0.0, nll = 0.0
        let ownCost = s.features > 0 ? Double(s.costs[best]) / scale / s.features : 0
        if s.features > 0 {
            nll = (s.fit / group.fitScale + Double(s.costs[best]) / scale) / s.features + group.fitOffset
            misfit = max(0, nll - calibration.laneFit[group.lanes[best]])
        }
        var confidence: Double
        if calibration.isEmpty {
            // Uncalibrated: the model's own probability of the best language.
            var sum = 0.0, mine = 0.0
            for j in candidates {
                let p = exp(-Double(s.costs[j] - s.costs[best]) / scale)
                sum += p
                if laneLanguages[group.lanes[j]] == bestLanguage { mine += p }
            }
            confidence = mine / sum
        } else {
            confidence = calibration.probability(margin: margin, features: s.features, misfit: misfit, ownCost: ownCost)
        }
        var a = Analysis(guess: Guess(language: bestLanguage, confidence: confidence, letters: letters),
                         best: bestLanguage, second: second < 0 ? nil : laneLanguages[group.lanes[second]],
                         margin: margin, features: s.features, misfit: misfit, reason: nil, lane: group.lanes[best],
                         nll: nll, ownCost: ownCost)
        if confidence < minConfidence {
            a.guess = Guess(language: "und", confidence: 0, letters: letters)
            a.reason = String(format: "confidence %.2f below %.2f", confidence, minConfidence)
        }
        return a
    }
}

/// Turns what the identifier measured into the probability that its answer is
/// right: a logistic function of the margin between the best two languages, the
/// number of features read, how badly the best language fits the text (against
/// its fit on held-out text of its own) and how often it is not the likeliest lane,
/// fitted by the trainer on held-out text, including text of languages left out
/// of the profile (which must come out unsure).
public struct Calibration: Sendable, Equatable {
    /// Margins are capped at this many nats (a script of one language has no second).
    public var marginCap: Double
    /// Logistic weights of `inputs`.
    public var weights: [Double]
    /// Per lane, the mean nats per feature of held-out text of its language.
    public var laneFit: [Double]

    public init(marginCap: Double, weights: [Double], laneFit: [Double]) {
        // Stored as Float32: a profile read from its file scores exactly as the one trained.
        self.marginCap = Double(Float(marginCap))
        self.weights = weights.map { Double(Float($0)) }
        self.laneFit = laneFit.map { Double(Float($0)) }
    }

    /// No calibration: the model's own probabilities are used.
    public static func none(lanes: Int) -> Calibration {
        Calibration(marginCap: 30, weights: [], laneFit: [Double](repeating: 0, count: lanes))
    }

    public var isEmpty: Bool { weights.isEmpty }

    /// The logistic function's inputs.
    public static func inputs(margin: Double, features: Double, misfit: Double, ownCost: Double) -> [Double] {
        let n = log(1 + features)
        return [1, margin, n, misfit, misfit * n, ownCost, ownCost * n]
    }

    public func probability(margin: Double, features: Double, misfit: Double, ownCost: Double) -> Double {
        let x = Self.inputs(margin: margin, features: features, misfit: misfit, ownCost: ownCost)
        var z = 0.0
        for (w, v) in zip(weights, x) { z += w * v }
        return 1 / (1 + exp(-z))
    }

    /// Serialized: margin cap, weight count, weights, lane fits.
    var values: [Double] { [marginCap, Double(weights.count)] + weights + laneFit }

    init?(values v: [Double], lanes: Int) {
        guard v.count >= 2, v[1] >= 0, v.count == 2 + Int(v[1]) + lanes else { return nil }
        let w = Int(v[1])
        self.init(marginCap: v[0], weights: Array(v[2 ..< 2 + w]), laneFit: Array(v[(2 + w)...]))
    }
}
