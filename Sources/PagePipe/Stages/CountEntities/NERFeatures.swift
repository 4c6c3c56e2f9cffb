/// Feature extraction for the entity tagger, shared by training and tagging so
/// the two can never disagree. Every feature is a 64-bit hash of (template,
/// value) folded into a bucket of the model's weight table.

/// The tag set: O plus BILOU (begin, inside, last, unit) for each type.
public enum NERTags {
    public static let types: [EntityType] = [.person, .organization, .location, .misc]
    public static let count = 1 + 4 * types.count
    public static let outside = 0
    @inline(__always) public static func begin(_ t: Int) -> Int { 1 + 4 * t }
    @inline(__always) public static func inside(_ t: Int) -> Int { 2 + 4 * t }
    @inline(__always) public static func last(_ t: Int) -> Int { 3 + 4 * t }
    @inline(__always) public static func unit(_ t: Int) -> Int { 4 + 4 * t }
    /// 0 O, 1 B, 2 I, 3 L, 4 U
    @inline(__always) public static func part(_ tag: Int) -> Int { tag == 0 ? 0 : (tag - 1) % 4 + 1 }
    @inline(__always) public static func type(_ tag: Int) -> Int { (tag - 1) / 4 }

    // Decoding is unconstrained: any tag may follow any other. The model
    // learns transitions from its tag-history features and `spans` reads what
    // it says leniently. (Forbidding O after B, as BILOU strictly requires,
    // cost 1.5 F1 on dev: one doubtful "I" then dragged a name across the rest
    // of a sentence, "Google for abusing its ...".)

    /// Token spans (first, last inclusive, type index) of a tag sequence,
    /// read leniently: a name runs from B or U (or a stray I/L) over I/L tags
    /// and ends at L, U, or before any other tag. A continuation of another
    /// type ("Hong" B-LOC, "Kong" L-ORG) stays in the name, which takes the
    /// type most of its tokens have (the first token's on a tie).
    public static func spans(_ tags: [Int]) -> [(Int, Int, Int)] {
        var out: [(Int, Int, Int)] = []
        var start = -1
        func close(_ end: Int) {
            var votes = [0, 0, 0, 0]
            for k in start...end { votes[type(tags[k])] += 1 }
            var best = type(tags[start])
            for ty in 0..<4 where votes[ty] > votes[best] { best = ty }
            out.append((start, end, best))
            start = -1
        }
        for (i, t) in tags.enumerated() {
            let p = part(t)
            let continues = start >= 0 && (p == 2 || p == 3)
            if start >= 0 && !continues { close(i - 1) }
            if p == 0 { continue }
            if !continues { start = i }
            if p == 3 || p == 4 { close(i) }
        }
        if start >= 0 { close(tags.count - 1) }
        return out
    }
}

@inline(__always) package func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

@inline(__always) func fnv(_ h: UInt64, _ v: UInt32) -> UInt64 { (h ^ UInt64(v)) &* 0x100_0000_01B3 }
let fnvSeed: UInt64 = 0xCBF2_9CE4_8422_2325

/// A token's letter case. The raw values are part of the feature hashes the
/// shipped model was trained on: do not renumber.
public enum Capitalization: UInt8, Sendable {
    /// Lowercase initial ("word").
    case lower = 0
    /// "Title".
    case title = 1
    /// "ALLCAPS".
    case allCaps = 2
    /// Digits or punctuation only.
    case noLetters = 3
    /// Any other mix ("iPhone").
    case mixed = 4
    /// The padding token before and after a sentence.
    case boundary = 5

    /// Starts with or is all capitals: how names are written.
    @inline(__always) public var isCapitalised: Bool { self == .title || self == .allCaps || self == .mixed }
}

/// Document-level facts about a word (all its occurrences in the page). The
/// raw values are part of the feature hashes: do not renumber.
public struct DocumentBits: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The word appears lowercase in the document.
    public static let lowercaseSomewhere = DocumentBits(rawValue: 1)
    /// It appears capitalised away from a sentence start, in mixed-case text.
    public static let capitalisedInRunningText = DocumentBits(rawValue: 2)
    /// It follows another capitalised word in running text.
    public static let followsCapitalised = DocumentBits(rawValue: 4)
    /// It precedes another capitalised word in running text.
    public static let precedesCapitalised = DocumentBits(rawValue: 8)
}

/// What the tagger knows about one token before looking at its neighbours.
public struct TokenInfo: Sendable {
    /// Lowercased form, digits as 0.
    public var lower: UInt64 = 0
    public var shape: UInt64 = 0
    public var prefix: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public var suffix: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public var cap = Capitalization.noLetters
    public var length: UInt8 = 0
    /// Gazetteer membership bits (see `Gazetteer`).
    public var gazetteer: UInt32 = 0
    /// What the rest of the document says about the word.
    public var doc: DocumentBits = []
    /// What a first tagging pass made of the same word elsewhere in the
    /// document (see `fillPredictionBits`); `unknownPrediction` before it.
    public var predicted: UInt8 = NERFeatures.unknownPrediction
    /// Place in a run of capitalised tokens: 4 * min(position, 3) + min(length, 4) - 1; 255 outside one.
    public var run: UInt8 = 255
    /// Sentence kind: 1 when over a third of its tokens are numbers (tables,
    /// results), plus 2 * length bucket.
    public var sentence: UInt8 = 0
    /// Hash of the whole run of capitalised tokens this token is in (0 outside one).
    public var runWords: UInt64 = 0
    /// For a capitalised word: the words before (0-2) and after (3-5) its
    /// other occurrences in the page's running text, up to three distinct
    /// each, other than its own neighbours (0: none). "Kommersant said" is
    /// read knowing the page also says "the Kommersant report".
    public var context: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
}

public enum NERFeatures {
    /// Per-token facts from the scalars of a token.
    public static func info(_ s: [Unicode.Scalar], _ start: Int, _ end: Int, headline: Bool) -> TokenInfo {
        var t = TokenInfo()
        var h = fnvSeed
        var shape = fnvSeed
        var lastClass: UInt32 = 0
        var uppers = 0, lowers = 0, letters = 0
        var firstUpper = false
        let n = min(end - start, 255)
        t.length = UInt8(n)
        // prefix hashes of 2-4 characters as they come; the last 4 characters
        // in a small ring for the suffixes
        var pre: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var ph = fnvSeed
        var ring: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        var count = 0
        for k in start..<end {
            let c = s[k]
            var v = c.value
            var cls: UInt32
            if v < 128 {
                if v >= 65 && v <= 90 { cls = 88; uppers += 1; letters += 1; if k == start { firstUpper = true }; v += 32 }
                else if v >= 97 && v <= 122 { cls = 120; lowers += 1; letters += 1 }
                else if v >= 48 && v <= 57 { cls = 100; v = 48 }
                else { cls = v }
            } else {
                let p = c.properties
                if p.isUppercase { cls = 88; uppers += 1; letters += 1; if k == start { firstUpper = true }
                    v = p.lowercaseMapping.unicodeScalars.first?.value ?? v }
                else if p.isLowercase { cls = 120; lowers += 1; letters += 1 }
                else if p.isAlphabetic { cls = 97; letters += 1 }
                else if p.numericType != nil { cls = 100; v = 48 }
                else { cls = v & 0xFFFF }
            }
            if headline && cls == 88 { cls = 120 }
            h = fnv(h, v)
            count += 1
            if count <= 4 {
                ph = fnv(ph, v)
                if count == 2 { pre.0 = ph } else if count == 3 { pre.1 = ph } else if count == 4 { pre.2 = ph }
            }
            ring = (ring.1, ring.2, ring.3, v)
            if cls != lastClass { shape = fnv(shape, cls); lastClass = cls }
        }
        // affixes only for words longer than the affix, as before
        if count <= 2 { pre.0 = 0 }
        if count <= 3 { pre.1 = 0 }
        if count <= 4 { pre.2 = 0 }
        t.prefix = pre
        t.suffix = (count > 2 ? fnv(fnv(fnvSeed, ring.2), ring.3) : 0,
                    count > 3 ? fnv(fnv(fnv(fnvSeed, ring.1), ring.2), ring.3) : 0,
                    count > 4 ? fnv(fnv(fnv(fnv(fnvSeed, ring.0), ring.1), ring.2), ring.3) : 0)
        t.lower = h
        t.shape = mix64(shape ^ UInt64(min(n, 6)) << 56)
        if letters == 0 { t.cap = .noLetters }
        else if uppers == letters { t.cap = .allCaps }
        else if firstUpper { t.cap = .title }
        else if uppers == 0 { t.cap = .lower }
        else { t.cap = .mixed }
        return t
    }

    /// Fills document-level bits: which words also appear lowercase, and which
    /// appear capitalised in mixed-case text away from a sentence start.
    public static func fillDocumentBits(_ infos: inout [TokenInfo], sentences: [Sentence]) {
        let (slots, words) = WordSlots.assign(infos)
        var flags = [DocumentBits](repeating: [], count: words)
        for s in sentences {
            for i in s.tokens {
                let t = infos[i]
                if t.cap == .lower { flags[Int(slots[i])].insert(.lowercaseSomewhere) }
                else if t.cap == .title && !s.headline && i != s.tokens.lowerBound { flags[Int(slots[i])].insert(.capitalisedInRunningText) }
            }
            // Runs of two or more capitalised words in running text (not a
            // headline, not counting a sentence's first word, which may be
            // "The") mark a word seen after another in such a run (the
            // "Assad" of "Bashar Assad") and one seen before another. A single
            // word never seen in a longer name anywhere in the page ("Kommersant
            // said") is less likely a person's surname: news names a person
            // in full at least once.
            guard !s.headline else { continue }
            var i = s.tokens.lowerBound + 1
            while i < s.tokens.upperBound {
                guard infos[i].cap.isCapitalised else { i += 1; continue }
                var j = i
                while j < s.tokens.upperBound && infos[j].cap.isCapitalised { j += 1 }
                if j - i >= 2 {
                    flags[Int(slots[i])].insert(.precedesCapitalised)
                    for k in (i + 1)..<j { flags[Int(slots[k])].insert(.followsCapitalised) }
                }
                i = j
            }
        }
        for i in infos.indices { infos[i].doc = flags[Int(slots[i])] }
        fillContext(&infos, sentences: sentences, slots: slots, words: words)
        for s in sentences {
            var numbers = 0
            var i = s.tokens.lowerBound
            while i < s.tokens.upperBound {
                if infos[i].cap == .noLetters && infos[i].length > 0 { numbers += 1 }
                guard infos[i].cap.isCapitalised else { i += 1; continue }
                var j = i
                while j < s.tokens.upperBound && infos[j].cap.isCapitalised { j += 1 }
                var h = fnvSeed
                for k in i..<j { h = mix64(h ^ infos[k].lower) }
                for k in i..<j { infos[k].run = UInt8(4 * min(k - i, 3) + min(j - i, 4) - 1); infos[k].runWords = h }
                i = j
            }
            let n = s.tokens.count
            let kind = UInt8((3 * numbers > n ? 1 : 0) + 2 * (n <= 3 ? 0 : n <= 8 ? 1 : n <= 20 ? 2 : 3))
            for k in s.tokens { infos[k].sentence = kind }
        }
    }

    /// Context aggregation (Ratinov & Roth 2009): see `TokenInfo.context`.
    static func fillContext(_ infos: inout [TokenInfo], sentences: [Sentence], slots: [Int32], words: Int) {
        @inline(__always) func named(_ c: Capitalization) -> Bool { c.isCapitalised }
        var left = [UInt64](repeating: 0, count: infos.count), right = left
        // occurrences of each word in running text, in document order (a linked list)
        var head = [Int32](repeating: -1, count: words)
        var next = [Int32](repeating: -1, count: infos.count)
        var tail = [Int32](repeating: -1, count: words)
        for s in sentences {
            let lo = s.tokens.lowerBound, hi = s.tokens.upperBound
            for i in s.tokens where named(infos[i].cap) {
                left[i] = i > lo ? infos[i - 1].lower : boundary.lower
                right[i] = i + 1 < hi ? infos[i + 1].lower : boundary.lower
                guard !s.headline else { continue }
                let w = Int(slots[i])
                if tail[w] < 0 { head[w] = Int32(i) } else { next[Int(tail[w])] = Int32(i) }
                tail[w] = Int32(i)
            }
        }
        for i in infos.indices where named(infos[i].cap) {
            var l: (UInt64, UInt64, UInt64) = (0, 0, 0), r: (UInt64, UInt64, UInt64) = (0, 0, 0)
            var nl = 0, nr = 0, seen = 0
            var j = Int(head[Int(slots[i])])
            while j >= 0 && seen < 16 && (nl < 3 || nr < 3) {
                defer { j = Int(next[j]); seen += 1 }
                if j == i { continue }
                let a = left[j], b = right[j]
                if nl < 3 && a != left[i] && a != l.0 && a != l.1 && a != l.2 {
                    if nl == 0 { l.0 = a } else if nl == 1 { l.1 = a } else { l.2 = a }
                    nl += 1
                }
                if nr < 3 && b != right[i] && b != r.0 && b != r.1 && b != r.2 {
                    if nr == 0 { r.0 = b } else if nr == 1 { r.1 = b } else { r.2 = b }
                    nr += 1
                }
            }
            infos[i].context = (l.0, l.1, l.2, r.0, r.1, r.2)
        }
    }

    public static let unknownPrediction: UInt8 = 63

    /// Second-pass context: for each token, how the other occurrences of its
    /// word in the document were tagged by the first pass. 0: no other
    /// occurrence; 1: all outside names; else 2 + 4 * majority type + part
    /// (0 B, 1 I, 2 L, 3 U) of that type, + 32 when some were outside names.
    public static func fillPredictionBits(_ infos: inout [TokenInfo], tags: [Int]) {
        // word -> slot; per slot 17 counts (O and the 16 typed tags)
        let (slots, words) = WordSlots.assign(infos)
        var counts = [Int32](repeating: 0, count: words * 17)
        for i in infos.indices { counts[Int(slots[i]) * 17 + tags[i]] += 1 }
        for (i, t) in tags.enumerated() {
            let base = Int(slots[i]) * 17
            counts[base + t] -= 1
            defer { counts[base + t] += 1 }
            var total: Int32 = 0
            for k in 0..<17 { total += counts[base + k] }
            if total == 0 { infos[i].predicted = 0; continue }
            let outside = counts[base]
            if outside == total { infos[i].predicted = 1; continue }
            // majority type, then its most frequent part
            var bt = 0, btTotal: Int32 = -1
            for ty in 0..<4 {
                let n = counts[base + 1 + 4 * ty] + counts[base + 2 + 4 * ty] + counts[base + 3 + 4 * ty] + counts[base + 4 + 4 * ty]
                if n > btTotal { bt = ty; btTotal = n }
            }
            var bp = 0
            for k in 1..<4 where counts[base + 1 + 4 * bt + k] > counts[base + 1 + 4 * bt + bp] { bp = k }
            infos[i].predicted = UInt8(2 + 4 * bt + bp + (outside > 0 ? 32 : 0))
        }
    }

    public static let maxFeatures = 128

    /// Writes the feature hashes of token `i` of a sentence into `out`; returns their number.
    /// `p1`/`p2` are the tags of the two previous tokens (0 before the sentence).
    @inline(__always)
    public static func extract(_ infos: UnsafeBufferPointer<TokenInfo>, _ lo: Int, _ hi: Int, _ i: Int,
                               headline: Bool, p1: Int, p2: Int, into out: UnsafeMutablePointer<UInt64>) -> Int {
        let n = extractStatic(infos, lo, hi, i, headline: headline, into: out)
        return n + extractHistory(infos, lo, hi, i, headline: headline, p1: p1, p2: p2, into: out + n)
    }

    @inline(__always) static func capClass(_ t: TokenInfo, _ headline: Bool) -> UInt64 {
        UInt64(headline && t.cap != .noLetters && t.cap != .boundary ? 6 : t.cap.rawValue)
    }

    static let boundary = TokenInfo(lower: 0xB0B0, shape: 0xB0B0, cap: .boundary)

    /// The features that depend on the tags already chosen: the previous two
    /// tags and, in the second pass, the first pass's view of the document.
    @inline(__always)
    public static func extractHistory(_ infos: UnsafeBufferPointer<TokenInfo>, _ lo: Int, _ hi: Int, _ i: Int,
                                      headline: Bool, p1: Int, p2: Int, into out: UnsafeMutablePointer<UInt64>) -> Int {
        var n = 0
        @inline(__always) func add(_ template: UInt64, _ value: UInt64) {
            out[n] = mix64(value &+ template &* 0x2545_F491_4F6C_DD1D); n += 1
        }
        let t0 = infos[i]
        let cap0 = capClass(t0, headline)
        add(20, UInt64(p1)); add(21, UInt64(p2 * 32 + p1)); add(22, t0.lower ^ UInt64(p1) << 58)
        add(23, UInt64(p1) * 16 + cap0)
        if t0.predicted != unknownPrediction {
            let m1 = i - 1 >= lo ? infos[i - 1] : boundary
            let q1 = i + 1 < hi ? infos[i + 1] : boundary
            let d0 = UInt64(t0.predicted), dm = UInt64(m1.predicted), dq = UInt64(q1.predicted)
            add(50, d0 * 8 + cap0)
            add(51, d0 * 64 + dm)
            add(52, d0 * 64 + dq)
            add(53, d0 * 64 + UInt64(p1))
            add(54, t0.lower ^ (d0 << 56))
        }
        return n
    }

    /// The features of a token and its neighbours' words alone.
    @inline(__always)
    public static func extractStatic(_ infos: UnsafeBufferPointer<TokenInfo>, _ lo: Int, _ hi: Int, _ i: Int,
                                     headline: Bool, into out: UnsafeMutablePointer<UInt64>) -> Int {
        var n = 0
        @inline(__always) func add(_ template: UInt64, _ value: UInt64) {
            out[n] = mix64(value &+ template &* 0x2545_F491_4F6C_DD1D); n += 1
        }
        let boundary = Self.boundary
        let t0 = infos[i]
        let m1 = i - 1 >= lo ? infos[i - 1] : boundary
        let m2 = i - 2 >= lo ? infos[i - 2] : boundary
        let q1 = i + 1 < hi ? infos[i + 1] : boundary
        let q2 = i + 2 < hi ? infos[i + 2] : boundary
        let cl: UInt64 = headline ? 1000 : 0
        let initial: UInt64 = i == lo ? 1 : 0
        let cap0 = capClass(t0, headline)
        let capm1 = capClass(m1, headline)
        let capq1 = capClass(q1, headline)
        add(1, 1)
        add(2, t0.lower)
        add(3 + cl, t0.shape)
        add(4, t0.prefix.0); add(5, t0.prefix.1); add(6, t0.prefix.2)
        add(7, t0.suffix.0); add(8, t0.suffix.1); add(9, t0.suffix.2)
        add(10, m1.lower); add(11, q1.lower); add(12, m2.lower); add(13, q2.lower)
        add(14 + cl, m1.shape); add(15 + cl, q1.shape)
        add(16 + cl, m1.shape ^ (t0.shape &* 3)); add(17 + cl, t0.shape ^ (q1.shape &* 3))
        add(18, m1.lower ^ (t0.lower &* 3)); add(19, t0.lower ^ (q1.lower &* 3))
        add(24, initial * 1024 + cap0 * 64 + UInt64(t0.doc.rawValue))
        add(25, t0.lower ^ (initial << 60) ^ (cl << 40))
        add(26, capm1 * 64 + cap0 * 8 + capq1)
        add(27, m1.suffix.1 ^ (cap0 << 59))
        add(28, q1.lower ^ (cap0 << 59))
        add(29, m1.lower ^ (cap0 << 59))
        add(30, UInt64(min(t0.length, 12)) * 8 + cap0)
        add(31, UInt64(t0.run) * 16 + UInt64(t0.sentence))
        add(32, UInt64(t0.run) * 256 + UInt64(m1.run))
        add(33, t0.lower ^ (UInt64(t0.sentence) << 56))
        add(34, UInt64(t0.sentence) * 64 + cap0 * 8 + capq1)
        add(35, m1.prefix.1 ^ (cap0 << 59))
        add(36, q1.suffix.1 ^ (cap0 << 59))
        if t0.runWords != 0 { add(37, t0.runWords ^ UInt64(t0.run) << 56) }
        // the neighbouring words with the word's document run bits ("X said"
        // reads differently when X never appears in a longer name)
        let runBits = UInt64(t0.doc.intersection([.followsCapitalised, .precedesCapitalised]).rawValue) | cap0 << 4
        add(46, q1.lower ^ (runBits << 56))
        add(47, m1.lower ^ (runBits << 56))
        add(38, m2.lower ^ (m1.lower &* 5))
        add(39, q1.lower ^ (q2.lower &* 5))
        add(44 + cl, m2.shape ^ (m1.shape &* 7) ^ (t0.shape &* 11))
        add(45 + cl, t0.shape ^ (q1.shape &* 7) ^ (q2.shape &* 11))
        // the neighbours of the word's other occurrences in the page
        let cx = t0.context
        if cx.0 != 0 {
            add(60, cx.0 ^ cap0 << 59)
            if cx.1 != 0 { add(60, cx.1 ^ cap0 << 59); if cx.2 != 0 { add(60, cx.2 ^ cap0 << 59) } }
        }
        if cx.3 != 0 {
            add(61, cx.3 ^ cap0 << 59)
            if cx.4 != 0 { add(61, cx.4 ^ cap0 << 59); if cx.5 != 0 { add(61, cx.5 ^ cap0 << 59) } }
        }
        // gazetteer bits of this token and its neighbours, with the capitalisation
        var g = t0.gazetteer
        while g != 0 {
            let b = UInt64(g.trailingZeroBitCount); g &= g - 1
            add(40, b * 8 + cap0)
            add(41, b * 64 + UInt64(m1.gazetteer != 0 ? 1 : 0) * 2 + UInt64(q1.gazetteer != 0 ? 1 : 0))
        }
        var gm = m1.gazetteer
        while gm != 0 { let b = UInt64(gm.trailingZeroBitCount); gm &= gm - 1; add(42, b * 8 + cap0) }
        var gq = q1.gazetteer
        while gq != 0 { let b = UInt64(gq.trailingZeroBitCount); gq &= gq - 1; add(43, b * 8 + cap0) }
        return n
    }
}

/// Numbers the distinct words (`lower`) of a document 0, 1, 2... in order of
/// first appearance, with an open-addressing table (faster than a Dictionary).
enum WordSlots {
    static func assign(_ infos: [TokenInfo]) -> (slots: [Int32], words: Int) {
        var capacity = 16
        while capacity < 2 * infos.count { capacity *= 2 }
        let mask = capacity - 1
        var keys = [UInt64](repeating: 0, count: capacity)
        var ids = [Int32](repeating: -1, count: capacity)
        var slots = [Int32](repeating: 0, count: infos.count)
        var words: Int32 = 0
        for i in infos.indices {
            let key = infos[i].lower
            var b = Int(truncatingIfNeeded: mix64(key)) & mask
            while ids[b] >= 0 && keys[b] != key { b = (b + 1) & mask }
            if ids[b] < 0 { keys[b] = key; ids[b] = words; words += 1 }
            slots[i] = ids[b]
        }
        return (slots, Int(words))
    }
}
