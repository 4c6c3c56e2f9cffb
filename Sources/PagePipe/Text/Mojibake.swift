/// Repair of mojibake: UTF-8 bytes that were decoded with a single-byte code
/// page (windows-1252 or Latin-1, windows-1251, Mac OS Roman), possibly twice.
///
/// For each code page, every run of characters whose bytes in that code page
/// form one valid UTF-8 sequence ("Ã©" is C3 A9, "é") is a candidate. A
/// candidate is taken only when the character it decodes to is a common one
/// (a letter of a living script, usual punctuation, a symbol; not a C1 control,
/// an IPA letter or a rare extension), and when it looks broken: it contains a
/// symbol or control, or decodes into another script, or sits in a word with a
/// lower-to-upper case change ("MaÃŸnahmen", "РџСЂРёРІРµС‚"). Candidates made of
/// ordinary letters ("Ті" in Ukrainian, which is D2 B3 in windows-1251) are
/// taken only in a text where a broken-looking one was found with the same code
/// page, so clean text in any language comes back unchanged. Two losses seen
/// in scraped text are recovered: a non-breaking space (byte A0) turned into
/// a plain space after "Ã", and the undefined byte 9D of "”" turned into U+FFFD.
public enum Mojibake {
    struct Codec: Sendable {
        let name: String
        /// Scalar (below 0x2300) -> byte in this code page; 0 when it has none.
        /// Scalars at or above 0x2300 are looked up in `encodeHigh`.
        let encode: [UInt8]
        let encodeHigh: [UInt32: UInt8]
        /// Whether bytes lost by this code page are recovered (windows-1252 only).
        let recoversLosses: Bool

        init(name: String, high: [UInt16], from: Int, alsoC1: Bool, recoversLosses: Bool) {
            self.name = name
            var e = [UInt8](repeating: 0, count: 0x2300)
            var h: [UInt32: UInt8] = [:]
            for b in from ... 0xFF {
                let v = b < 0x80 + high.count && b >= 0x80 ? Int(high[b - 0x80]) : b
                if v < 0x2300 { e[v] = UInt8(b) } else { h[UInt32(v)] = UInt8(b) }
            }
            // Latin-1 readings of bytes 0x80–0x9F leave C1 controls in the text.
            if alsoC1 { for b in 0x80 ... 0x9F where e[b] == 0 { e[b] = UInt8(b) } }
            encode = e
            encodeHigh = h
            self.recoversLosses = recoversLosses
        }

        @inline(__always) func byte(_ v: UInt32) -> UInt8? {
            if v < 0x80 { return UInt8(v) }
            if v < 0x2300 { let b = encode[Int(v)]; return b == 0 ? nil : b }
            return encodeHigh[v]
        }
    }

    /// windows-1252 and Latin-1 together: the same bytes, except 0x80–0x9F.
    static let western = Codec(name: "windows-1252", high: cp1252High, from: 0x80, alsoC1: true, recoversLosses: true)
    static let cyrillic = Codec(name: "windows-1251", high: cp1251High, from: 0x80, alsoC1: false, recoversLosses: false)
    static let macRoman = Codec(name: "macintosh", high: macRomanHigh, from: 0x80, alsoC1: false, recoversLosses: false)
    static let codecs = [western, cyrillic, macRoman]

    /// Repairs `s` in place; returns whether anything changed. Repeats for
    /// text encoded twice (or three times).
    static func repair(_ s: inout [UInt32]) -> Bool {
        guard s.contains(where: { $0 >= 0x80 }) else { return false }
        var any = false
        // Each round repairs with the code page that explains the most characters
        // (Mac OS Roman mojibake also holds a few windows-1252 look-alike pairs),
        // then looks again: text encoded twice needs two rounds.
        for _ in 0 ..< 4 {
            var best: [Candidate] = []
            var bestCovered = 0
            for codec in codecs {
                let found = candidates(codec, s)
                let covered = found.reduce(0) { $0 + $1.end - $1.start }
                if covered > bestCovered { best = found; bestCovered = covered }
            }
            guard bestCovered > 0 else { break }
            var out: [UInt32] = []
            out.reserveCapacity(s.count)
            var last = 0
            for c in best {
                out.append(contentsOf: s[last ..< c.start])
                out.append(c.result)
                last = c.end
            }
            out.append(contentsOf: s[last...])
            s = out
            any = true
        }
        return any
    }

    struct Candidate {
        var start: Int
        var end: Int
        var result: UInt32
        var broken: Bool
        var lostSpace = false
    }

    /// The repairs `codec` explains in `s`: none unless at least a third of them
    /// look broken (a stray "ТАСС»" in clean Ukrainian must not license every "Ві").
    static func candidates(_ codec: Codec, _ s: [UInt32]) -> [Candidate] {
        let n = s.count
        var found: [Candidate] = []
        var i = 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        while i < n {
            let c = s[i]
            guard c >= 0x80, let b0 = codec.byte(c), b0 >= 0xC2, b0 <= 0xF4 else { i += 1; continue }
            let need = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
            bytes.removeAll(keepingCapacity: true)
            bytes.append(b0)
            var j = i + 1
            var lostSpace = false
            while bytes.count < need, j < n {
                var b = codec.byte(s[j])
                if codec.recoversLosses, b.map({ $0 & 0xC0 != 0x80 }) ?? true {
                    if s[j] == 0x20, b0 == 0xC3, need == 2 {
                        b = 0xA0; lostSpace = true
                    } else if s[j] == 0xFFFD, bytes == [0xE2, 0x80] {
                        b = 0x9D
                    }
                }
                guard let b, b & 0xC0 == 0x80 else { break }
                bytes.append(b)
                j += 1
            }
            guard bytes.count == need, let r = decodeUTF8(bytes), isCommonResult(r) else { i += 1; continue }
            if lostSpace {
                // "voilÃ  un": only inside a word, or alone before a second space.
                let afterLower = i > 0 && isLowercase(s[i - 1])
                let aloneBeforeSpace = (i == 0 || s[i - 1] == 0x20) && j < n && s[j] == 0x20
                guard afterLower || aloneBeforeSpace else { i += 1; continue }
                found.append(Candidate(start: i, end: j, result: r, broken: afterLower, lostSpace: true))
            } else {
                found.append(Candidate(start: i, end: j, result: r, broken: false))
            }
            i = j
        }
        guard !found.isEmpty else { return [] }

        // Second look, now that the neighbours' repairs are known.
        var accepted: [Candidate] = []
        var textScript: Script? = nil
        next: for (k, var c) in found.enumerated() {
            let resultIsLetter = isLetter(c.result)
            let script = scriptGroup(c.result)
            if resultIsLetter, script != .han, script != .hangul, script != .other {
                // A letter of one script between letters of another is a false match
                // ("—él" in Mac OS Roman reads "юl", "Гёттинген" in windows-1251 "øттинген").
                let left: UInt32? = c.start == 0 ? nil
                    : (k > 0 && found[k - 1].end == c.start ? found[k - 1].result : s[c.start - 1])
                let right: UInt32? = c.end == n ? nil
                    : (k + 1 < found.count && found[k + 1].start == c.end ? found[k + 1].result : s[c.end])
                for near in [left, right] {
                    guard let near, isLetter(near) else { continue }
                    let nearScript = scriptGroup(near)
                    if nearScript != script, nearScript != .other { continue next }
                }
            }
            if !c.lostSpace {
                c.broken = looksBroken(s, c.start, c.end, result: c.result, resultIsLetter: resultIsLetter)
                // Letters of one script decoding into the script the text is written
                // in ("C'ГЁ stata" in Italian: windows-1251 for "è").
                if !c.broken, resultIsLetter, Script.of(s[c.start]) != script {
                    if textScript == nil { textScript = mainScript(s) }
                    c.broken = textScript == script
                }
            }
            accepted.append(c)
        }
        let broken = accepted.reduce(0) { $0 + ($1.broken ? 1 : 0) }
        return broken > 0 && broken * 3 >= accepted.count ? accepted : []
    }

    /// Whether the characters `s[i..<j]`, read as bytes of the code page, look
    /// like a broken rendering of `result` rather than text someone wrote. Two
    /// letters standing for a symbol ("Ві", C2 B3 in windows-1251, "³") do not.
    static func looksBroken(_ s: [UInt32], _ i: Int, _ j: Int, result: UInt32, resultIsLetter: Bool) -> Bool {
        let n = s.count
        // ƒ is a letter to Unicode but a florin sign in text, and a lead of Mac OS Roman mojibake.
        for k in i ..< j where !isLetter(s[k]) || s[k] == 0x192 {
            // "ЦЕНТР»" (Р» is D0 BB, "л"): a closing mark ending a word is ordinary.
            let closingAtWordEnd = k == j - 1 && isClosingMark(s[k]) && resultIsLetter && (j == n || !isLetter(s[j]))
            if !closingAtWordEnd { return true }
        }
        // Latin characters standing for another script ("Ð¼" for "м", "ä¸­" for "中").
        if Script.of(s[i]) == .latin, resultIsLetter, Script.of(result) != .latin { return true }
        // A lower-to-upper change inside the word, at the candidate.
        var a = i
        while a > 0, isLetter(s[a - 1]) { a -= 1 }
        var b = j
        while b < n, isLetter(s[b]) { b += 1 }
        if a < b - 1 {
            for k in max(a, i - 1) ..< min(b - 1, j) where isLowercase(s[k]) && isUppercase(s[k + 1]) {
                return true
            }
        }
        return false
    }

    /// The script most letters of `s` are written in.
    static func mainScript(_ s: [UInt32]) -> Script {
        var counts = [Int](repeating: 0, count: Script.allCases.count)
        LanguageFeatures.fold.withUnsafeBufferPointer { fold in
            LanguageFeatures.scripts.withUnsafeBufferPointer { scripts in
                for v in s where v < 0x10000 && fold[Int(v)] > 0x27 && scripts[Int(v)] != LanguageFeatures.inherited {
                    counts[Int(scripts[Int(v)])] += 1
                }
            }
        }
        counts[Script.other.rawValue] = 0
        return Script(rawValue: counts.indices.max { counts[$0] < counts[$1] }!)!
    }

    /// Strict UTF-8 decoding of one sequence (no overlongs, surrogates or values over U+10FFFF).
    static func decodeUTF8(_ b: [UInt8]) -> UInt32? {
        switch b.count {
        case 2:
            return UInt32(b[0] & 0x1F) << 6 | UInt32(b[1] & 0x3F)
        case 3:
            let v = UInt32(b[0] & 0x0F) << 12 | UInt32(b[1] & 0x3F) << 6 | UInt32(b[2] & 0x3F)
            return v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) ? nil : v
        case 4:
            let v = UInt32(b[0] & 0x07) << 18 | UInt32(b[1] & 0x3F) << 12 | UInt32(b[2] & 0x3F) << 6 | UInt32(b[3] & 0x3F)
            return v < 0x10000 || v > 0x10FFFF ? nil : v
        default:
            return nil
        }
    }

    /// Characters a repair may produce: those real text is made of. Excludes IPA,
    /// spacing modifiers, rare Latin/Cyrillic extensions, private use and
    /// unassigned blocks.
    static func isCommonResult(_ v: UInt32) -> Bool {
        switch v {
        case 0x80 ... 0x9F: return true  // C1: only as text encoded twice, repaired next round or read as windows-1252
        case 0xA0 ... 0x17F, 0x218 ... 0x21B: return true  // Latin-1, Latin Extended-A, Romanian
        case 0x192, 0x2C6, 0x2DC: return true  // ƒ ˆ ˜ of windows-1252 (text encoded twice)
        case 0x300 ... 0x36F: return true  // combining accents (text in NFD)
        case 0x386 ... 0x3CE: return true  // Greek
        case 0x400 ... 0x45F, 0x490 ... 0x491: return true  // Cyrillic
        case 0x591 ... 0x5F4: return true  // Hebrew
        case 0x600 ... 0x6FF: return true  // Arabic, Persian, Urdu
        case 0x900 ... 0x97F, 0xE01 ... 0xE5B: return true  // Devanagari, Thai
        case 0x1E00 ... 0x1EFF: return true  // Vietnamese
        case 0x2010 ... 0x2027, 0x2030 ... 0x203A, 0x20AC, 0x2116, 0x2122: return true  // punctuation, €, №, ™
        case 0x200B ... 0x200F, 0x202A ... 0x202F, 0x2060: return true  // zero-width and direction marks
        case 0x2190 ... 0x22FF, 0x25A0 ... 0x27BF: return true  // arrows, math, shapes, dingbats
        case 0x3000 ... 0x30FF, 0x3130 ... 0x318F, 0x4E00 ... 0x9FFF, 0xAC00 ... 0xD7A3, 0xFF01 ... 0xFFEF: return true
        case 0x1F300 ... 0x1FAFF: return true  // emoji
        default: return false
        }
    }

    /// Scripts for the neighbour test; Japanese mixes kana and Han in one word.
    static func scriptGroup(_ v: UInt32) -> Script {
        let s = Script.of(v)
        return s == .kana ? .han : s
    }

    static func isLetter(_ v: UInt32) -> Bool {
        if v < 0x80 { return isASCIILetter(v) }
        guard let s = Unicode.Scalar(v) else { return false }
        return s.properties.isAlphabetic
    }

    @inline(__always) static func isASCIILetter(_ v: UInt32) -> Bool { v | 0x20 >= 0x61 && v | 0x20 <= 0x7A }

    static func isLowercase(_ v: UInt32) -> Bool { Unicode.Scalar(v)?.properties.isLowercase ?? false }
    static func isUppercase(_ v: UInt32) -> Bool { Unicode.Scalar(v)?.properties.isUppercase ?? false }

    static func isClosingMark(_ v: UInt32) -> Bool {
        switch v {
        case 0xBB, 0x2019, 0x201D, 0x203A, 0x2026, 0x22, 0x27: return true
        default: return false
        }
    }

    /// windows-1252 bytes 0x80–0x9F (bytes it leaves undefined read as the C1 control, as browsers do).
    static let cp1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// windows-1251 bytes 0x80–0xFF (0x98, undefined, as its C1 control).
    static let cp1251High: [UInt16] = [
        0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
        0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
        0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x0098, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
        0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
        0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
        0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
        0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
        0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
        0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F,
        0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
        0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
        0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437,
        0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
        0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
        0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
    ]

    /// Mac OS Roman bytes 0x80–0xFF.
    static let macRomanHigh: [UInt16] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
        0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
        0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
        0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
        0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
        0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
        0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
        0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8,
        0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
        0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
        0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
        0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
        0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
        0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
        0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
        0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
    ]
}
