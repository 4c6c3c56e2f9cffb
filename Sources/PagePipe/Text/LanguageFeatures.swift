/// Writing systems the language identifier tells apart before it looks at
/// n-grams. A language's profile records which of these its training text
/// uses, so a script unique to one language decides alone (Hangul, Hebrew...).
public enum Script: Int, CaseIterable, Sendable {
    case latin, greek, cyrillic, armenian, hebrew, arabic, devanagari, bengali
    case thai, georgian, hangul, kana, han
    case gurmukhi, gujarati, tamil, telugu
    /// Letters of every other script (Kannada, Sinhala, Ethiopic...): no profile uses them.
    case other

    public var name: String { String(describing: self) }

    /// The script a profile group is keyed by: kana goes with Han, since Japanese
    /// writes both in one sentence; every other script is its own.
    public var group: Script { self == .kana ? .han : self }

    /// Han, kana and Hangul characters carry about a syllable or a word each: they
    /// count three times when scripts are weighed against each other.
    public var weight: Int { self == .han || self == .kana || self == .hangul ? 3 : 1 }

    /// ISO 15924 code, for lane names ("sr-Cyrl").
    public var code: String {
        switch self {
        case .latin: "Latn"
        case .greek: "Grek"
        case .cyrillic: "Cyrl"
        case .armenian: "Armn"
        case .hebrew: "Hebr"
        case .arabic: "Arab"
        case .devanagari: "Deva"
        case .bengali: "Beng"
        case .thai: "Thai"
        case .georgian: "Geor"
        case .hangul: "Hang"
        case .kana: "Kana"
        case .han: "Hani"
        case .gurmukhi: "Guru"
        case .gujarati: "Gujr"
        case .tamil: "Taml"
        case .telugu: "Telu"
        case .other: "Zyyy"
        }
    }

    /// The script of a letter, by Unicode block.
    public static func of(_ v: UInt32) -> Script {
        switch v {
        case 0x41 ... 0x24F, 0x250 ... 0x2AF, 0x1E00 ... 0x1EFF, 0x2C60 ... 0x2C7F, 0xA720 ... 0xA7FF,
             0xFF21 ... 0xFF5A:
            return .latin
        case 0x370 ... 0x3FF, 0x1F00 ... 0x1FFF: return .greek
        case 0x400 ... 0x52F, 0x1C80 ... 0x1C8F, 0x2DE0 ... 0x2DFF, 0xA640 ... 0xA69F: return .cyrillic
        case 0x530 ... 0x58F: return .armenian
        case 0x590 ... 0x5FF, 0xFB1D ... 0xFB4F: return .hebrew
        case 0x600 ... 0x6FF, 0x750 ... 0x77F, 0x8A0 ... 0x8FF, 0xFB50 ... 0xFDFF, 0xFE70 ... 0xFEFF:
            return .arabic
        case 0x900 ... 0x97F: return .devanagari
        case 0x980 ... 0x9FF: return .bengali
        case 0xA00 ... 0xA7F: return .gurmukhi
        case 0xA80 ... 0xAFF: return .gujarati
        case 0xB80 ... 0xBFF: return .tamil
        case 0xC00 ... 0xC7F: return .telugu
        case 0xE00 ... 0xE7F: return .thai
        case 0x10A0 ... 0x10FF: return .georgian
        case 0x1100 ... 0x11FF, 0x3130 ... 0x318F, 0xAC00 ... 0xD7AF: return .hangul
        case 0x3040 ... 0x30FF, 0x31F0 ... 0x31FF, 0xFF66 ... 0xFF9F: return .kana
        case 0x3400 ... 0x4DBF, 0x4E00 ... 0x9FFF, 0xF900 ... 0xFAFF, 0x20000 ... 0x2FFFF: return .han
        default: return .other
        }
    }
}

/// Turns text into the hashed character n-gram features of the language
/// model. Works on UTF-8 bytes with lookup tables: letters are lower-cased,
/// everything else (digits, punctuation, symbols, C0/C1 controls) separates
/// words, and tokens that look like URLs or e-mail addresses are skipped.
/// Each word, padded with a space on both sides, yields its 1...maxOrder-grams
/// of code points (a lone space excluded), and optionally the whole word.
public struct LanguageFeatures: Sendable {
    public let bits: Int
    public let maxOrder: Int
    public let wholeWords: Bool
    /// N-grams run on across the space between words ("o d" in "do dia").
    public let acrossWords: Bool

    public init(bits: Int, maxOrder: Int, wholeWords: Bool, acrossWords: Bool = false) {
        precondition((8 ... 24).contains(bits) && (1 ... 8).contains(maxOrder))
        self.bits = bits
        self.maxOrder = maxOrder
        self.wholeWords = wholeWords
        self.acrossWords = acrossWords
    }

    /// Per BMP code point: the lower-case form of a letter (a word character),
    /// or 0 for a separator. Built once from the Unicode properties.
    static let fold: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 0x10000)
        for v in 0 ..< 0x10000 {
            guard let s = Unicode.Scalar(UInt32(v)) else { continue }
            let p = s.properties
            let cat = p.generalCategory
            let letter = p.isAlphabetic || cat == .nonspacingMark || cat == .spacingMark
            guard letter, cat != .decimalNumber, cat != .letterNumber else { continue }
            var lower = UInt32(v)
            if p.changesWhenLowercased {
                let m = p.lowercaseMapping.unicodeScalars
                if m.count == 1, let f = m.first, f.value < 0x10000 { lower = f.value }
            }
            t[v] = UInt16(lower)
        }
        // Full-width Latin letters read as ASCII; the apostrophe stays inside words
        // ("l'homme", "don't") because elision is a strong cue.
        for v in 0xFF21 ... 0xFF3A { t[v] = UInt16(v - 0xFF21 + 0x61) }
        for v in 0xFF41 ... 0xFF5A { t[v] = UInt16(v - 0xFF41 + 0x61) }
        // Apostrophe look-alikes (Ukrainian text uses ' ’ ʼ and ` for the same sign).
        for v in [0x27, 0x60, 0xB4, 0x2B9, 0x2BC, 0x2018, 0x2019, 0x2032] { t[v] = 0x27 }
        return t
    }()

    /// Per BMP code point: its `Script` raw value (letters only matter), or
    /// `inherited` for combining marks, which belong to the letter before them
    /// (Yoruba's tone marks after NFC: "ẹ́" is ẹ and U+0301).
    static let scripts: [UInt8] = {
        var t = [UInt8](repeating: UInt8(Script.other.rawValue), count: 0x10000)
        for v in 0 ..< 0x10000 { t[v] = UInt8(Script.of(UInt32(v)).rawValue) }
        for r in [0x300 ... 0x36F, 0x1AB0 ... 0x1AFF, 0x1DC0 ... 0x1DFF, 0x20D0 ... 0x20FF, 0xFE20 ... 0xFE2F] {
            for v in r { t[v] = inherited }
        }
        return t
    }()
    static let inherited: UInt8 = 255

    /// Per Latin lower-case letter a–z, the Cyrillic letter it is typed for (0: none).
    static let cyrillicLookalike: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 26)
        for (latin, cyrillic) in zip("abceikmhoptxy".unicodeScalars, "авсеікмноптху".unicodeScalars) {
            t[Int(latin.value - 0x61)] = cyrillic.value
        }
        return t
    }()

    @inline(__always)
    static func mix(_ h: UInt64, _ v: UInt32) -> UInt64 {
        (h ^ UInt64(v)) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
    }

    /// Calls `body(bucket, order)` (order: n-gram length, 0 for a whole word) for every feature of `text` and counts its letters
    /// by script into `scriptCounts` (indexed by `Script.rawValue`). Letters of
    /// scripts outside `scripts` (a mask of `Script` bits) separate words like
    /// punctuation: Latin names in Russian text say nothing about Russian.
    @inline(__always)
    public func forEach(_ text: UnsafeBufferPointer<UInt8>, scripts allowed: UInt32 = ~0, scriptCounts: inout [Int],
                        _ body: (Int, Int) -> Void) {
        Self.fold.withUnsafeBufferPointer { fold in
            Self.scripts.withUnsafeBufferPointer { scripts in
                scriptCounts.withUnsafeMutableBufferPointer { counts in
                    run(text, allowed | 1 << UInt32(Script.other.rawValue), fold, scripts, counts, body)
                }
            }
        }
    }

    /// Letters of `text` by script (URLs and e-mail addresses skipped), without features.
    public static func countScripts(_ text: UnsafeBufferPointer<UInt8>) -> [Int] {
        var counts = [Int](repeating: 0, count: Script.allCases.count)
        fold.withUnsafeBufferPointer { fold in
            scripts.withUnsafeBufferPointer { scripts in
                counts.withUnsafeMutableBufferPointer { counts in
                    var i = 0
                    let n = text.count
                    var tokenStart = true
                    while i < n {
                        let b = text[i]
                        if tokenStart, b > 0x20, b < 0x80 {
                            tokenStart = false
                            let (skip, end) = skippedToken(text, i)
                            if skip { i = end; continue }
                        }
                        if b < 0x80 {
                            i &+= 1
                            if b <= 0x20 { tokenStart = true; continue }
                            if fold[Int(b)] > 0x27 { counts[Script.latin.rawValue] &+= 1 }
                            continue
                        }
                        let (v, len) = decode(text, i, b)
                        i &+= len
                        tokenStart = true
                        if v < 0x10000 {
                            if fold[Int(v)] > 0x27, scripts[Int(v)] != inherited { counts[Int(scripts[Int(v)])] &+= 1 }
                        } else if v >= 0x20000, v < 0x30000 {
                            counts[Script.han.rawValue] &+= 1
                        }
                    }
                }
            }
        }
        return counts
    }

    /// Whether the token at `i` (printable ASCII up to a space or a non-ASCII
    /// character) is a URL, a domain or an e-mail address (skipped), and where it ends.
    @inline(__always)
    static func skippedToken(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Bool, Int) {
        let n = text.count
        var j = i
        var skip = false
        while j < n {
            let c = text[j]
            if c <= 0x20 || c >= 0x80 { break }
            if c == 0x40 { skip = true }  // @
            if c == 0x3A, j + 2 < n, text[j + 1] == 0x2F, text[j + 2] == 0x2F { skip = true }  // ://
            j &+= 1
        }
        if !skip, j - i > 4, text[i] | 0x20 == 0x77, text[i + 1] | 0x20 == 0x77,
           text[i + 2] | 0x20 == 0x77, text[i + 3] == 0x2E {
            skip = true  // www.
        }
        return (skip, j)
    }

    /// The code point of the multi-byte UTF-8 sequence at `i` (lead byte `b`) and its length.
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ b: UInt8) -> (UInt32, Int) {
        let n = text.count
        if b < 0xE0 {
            return (i + 1 < n ? (UInt32(b & 0x1F) << 6) | UInt32(text[i + 1] & 0x3F) : 0xFFFD, 2)
        } else if b < 0xF0 {
            return (i + 2 < n ? (UInt32(b & 0x0F) << 12) | (UInt32(text[i + 1] & 0x3F) << 6) | UInt32(text[i + 2] & 0x3F) : 0xFFFD, 3)
        }
        return (i + 3 < n ? (UInt32(b & 0x07) << 18) | (UInt32(text[i + 1] & 0x3F) << 12)
            | (UInt32(text[i + 2] & 0x3F) << 6) | UInt32(text[i + 3] & 0x3F) : 0xFFFD, 4)
    }

    @inline(__always)
    func run(_ text: UnsafeBufferPointer<UInt8>, _ allowed: UInt32, _ fold: UnsafeBufferPointer<UInt16>,
             _ scripts: UnsafeBufferPointer<UInt8>, _ counts: UnsafeMutableBufferPointer<Int>,
             _ body: (Int, Int) -> Void) {
        let shift = UInt64(64 - bits)
        let n = text.count
        let maxOrder = self.maxOrder
        let wholeWords = self.wholeWords
        var w = Window()
        var i = 0
        var tokenStart = true
        // No word yet since the start or a full stop, question or exclamation mark, or line break.
        var sentenceStart = true

        while i < n {
            let b = text[i]
            // At the start of a token (a run of printable ASCII: Chinese text has no
            // spaces before a URL), skip it whole when it is a URL, a domain or an
            // e-mail address.
            if tokenStart, b > 0x20, b < 0x80 {
                tokenStart = false
                let (skip, end) = Self.skippedToken(text, i)
                if skip {
                    if w.inWord { w.endWord(maxOrder, wholeWords, shift, body) }
                    i = end
                    continue
                }
            }
            var v: UInt32
            if b < 0x80 {
                v = UInt32(b)
                i &+= 1
                if b <= 0x20 { tokenStart = true }
                if b == 0x2E || b == 0x21 || b == 0x3F || b == 0x0A { sentenceStart = true }
            } else {
                let (d, len) = Self.decode(text, i, b)
                v = d
                i &+= len
                tokenStart = true
            }
            var f: UInt32
            if v < 0x10000 {
                f = UInt32(fold[Int(v)])
                // A Latin look-alike inside a Cyrillic word ("вiн" typed with a Latin i)
                // is read as the Cyrillic letter.
                if b < 0x80, f >= 0x61,
                   (w.inWord && w.lastScript == UInt8(Script.cyrillic.rawValue)) || (i < n && text[i] & 0xFC == 0xD0),
                   case let c = Self.cyrillicLookalike[Int(f - 0x61)], c != 0 {
                    f = c
                    v = c
                }
                if f > 0x27, scripts[Int(v)] != Self.inherited {
                    let script = scripts[Int(v)]
                    w.lastScript = script
                    counts[Int(script)] &+= 1
                    if allowed & (1 << UInt32(script)) == 0 { f = 0 }
                }
            } else if v >= 0x20000, v < 0x30000 {
                f = v  // rare Han
                counts[Script.han.rawValue] &+= 1
                if allowed & (1 << UInt32(Script.han.rawValue)) == 0 { f = 0 }
            } else {
                f = 0
            }
            if f == 0 {
                if w.inWord { w.endWord(maxOrder, wholeWords, shift, body) }
                continue
            }
            if !w.inWord {
                // A word that starts with a capital letter inside a sentence is most
                // likely a name, and names travel between languages: its features are
                // marked (order + 16) so that the scorer can give them less weight.
                w.name = f != v && !sentenceStart ? 16 : 0
                sentenceStart = false
                w.startWord(maxOrder, acrossWords, shift, body)
            }
            w.emit(f, maxOrder, shift, body)
            w.wordHash = Self.mix(w.wordHash, f)
            w.wordLen &+= 1
        }
        if w.inWord { w.endWord(maxOrder, wholeWords, shift, body) }
    }

    /// The padded word being read: its last code points, newest first.
    struct Window {
        var w0: UInt32 = 0, w1: UInt32 = 0, w2: UInt32 = 0, w3: UInt32 = 0
        var w4: UInt32 = 0, w5: UInt32 = 0, w6: UInt32 = 0, w7: UInt32 = 0
        var filled = 0
        var wordHash: UInt64 = 0
        var wordLen = 0
        var inWord = false
        /// The script of the word's last letter.
        var lastScript: UInt8 = 0
        /// 16 when the word looks like a name (added to the order passed to `body`), else 0.
        var name = 0

        @inline(__always)
        mutating func startWord(_ maxOrder: Int, _ acrossWords: Bool, _ shift: UInt64, _ body: (Int, Int) -> Void) {
            inWord = true
            wordHash = 0x2545_F491_4F6C_DD1D
            wordLen = 0
            // Across words, the previous word's trailing space is this one's leading space.
            if acrossWords, filled > 0 { return }
            filled = 0
            emit(0x20, maxOrder, shift, body)
        }

        @inline(__always)
        mutating func endWord(_ maxOrder: Int, _ wholeWords: Bool, _ shift: UInt64, _ body: (Int, Int) -> Void) {
            emit(0x20, maxOrder, shift, body)
            if wholeWords, wordLen >= maxOrder {
                body(Int(truncatingIfNeeded: LanguageFeatures.mix(wordHash, 0xFFFF) >> shift), name)
            }
            inWord = false
        }

        @inline(__always)
        mutating func emit(_ c: UInt32, _ maxOrder: Int, _ shift: UInt64, _ body: (Int, Int) -> Void) {
            w7 = w6; w6 = w5; w5 = w4; w4 = w3; w3 = w2; w2 = w1; w1 = w0; w0 = c
            filled &+= 1
            let top = min(filled, maxOrder)
            var h = LanguageFeatures.mix(0x51_7CC1_B727_220A, w0)
            if c != 0x20 { body(Int(truncatingIfNeeded: h >> shift), 1 | name) }
            guard top > 1 else { return }
            h = LanguageFeatures.mix(h, w1); body(Int(truncatingIfNeeded: h >> shift), 2 | name)
            guard top > 2 else { return }
            h = LanguageFeatures.mix(h, w2); body(Int(truncatingIfNeeded: h >> shift), 3 | name)
            guard top > 3 else { return }
            h = LanguageFeatures.mix(h, w3); body(Int(truncatingIfNeeded: h >> shift), 4 | name)
            guard top > 4 else { return }
            h = LanguageFeatures.mix(h, w4); body(Int(truncatingIfNeeded: h >> shift), 5 | name)
            guard top > 5 else { return }
            h = LanguageFeatures.mix(h, w5); body(Int(truncatingIfNeeded: h >> shift), 6 | name)
            guard top > 6 else { return }
            h = LanguageFeatures.mix(h, w6); body(Int(truncatingIfNeeded: h >> shift), 7 | name)
            guard top > 7 else { return }
            h = LanguageFeatures.mix(h, w7); body(Int(truncatingIfNeeded: h >> shift), 8 | name)
        }
    }
}
