/// A word or punctuation mark, as code-point offsets into the text it came from.
public struct Token: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) { self.start = start; self.end = end }
}

/// A run of tokens the tagger reads as one sequence.
public struct Sentence: Sendable, Equatable {
    public var tokens: Range<Int>
    /// The sentence's line is a headline, in capitals or in title case:
    /// capitalisation says nothing about names there.
    public var headline: Bool

    package init(tokens: Range<Int>, headline: Bool) {
        self.tokens = tokens
        self.headline = headline
    }
}

/// Splits text into tokens and sentences for entity tagging, keeping offsets
/// in Unicode code points (what `Mention.start`/`end` count).
///
/// Any Unicode white space separates tokens (NBSP included); a line break
/// also ends a sentence. Punctuation is split off words except where it
/// belongs to them: abbreviations ("U.S.", "Mr."), numbers ("40,000", "3.5"),
/// hyphenated and apostrophe words ("20-month-old", "O'Neill"), "AT&T".
/// A possessive "'s" (or the bare "'" of "states'") becomes its own token.
public enum Tokenizer {
    public static func tokenize(_ text: String) -> (scalars: [Unicode.Scalar], tokens: [Token], sentences: [Sentence]) {
        let scalars = Self.scalars(of: text)
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 5)
        var sentences: [Sentence] = []
        var sentenceStart = 0
        var lineSentenceStart = 0
        var lineTokenStart = 0

        func endSentence(_ at: Int) {
            if at > sentenceStart { sentences.append(Sentence(tokens: sentenceStart..<at, headline: false)) }
            sentenceStart = at
        }
        func endLine() {
            endSentence(tokens.count)
            if isHeadline(scalars, tokens[lineTokenStart..<tokens.count]) {
                for k in lineSentenceStart..<sentences.count { sentences[k].headline = true }
            }
            lineSentenceStart = sentences.count
            lineTokenStart = tokens.count
        }

        var i = 0
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            if isSpace(c) {
                if c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}" { endLine() }
                i += 1
                continue
            }
            var j = i
            while j < n && !isSpace(scalars[j]) { j += 1 }
            let before = tokens.count
            splitChunk(scalars, i, j, lineStart: tokens.count == lineTokenStart, into: &tokens)
            // A sentence ends after . ! ? (or an abbreviation-free "...") when the next
            // chunk starts with a capital, a digit or an opening quote.
            if tokens.count > before {
                let last = tokens[tokens.count - 1]
                let lastChar = scalars[last.end - 1]
                if last.end - last.start == 1 && (lastChar == "." || lastChar == "!" || lastChar == "?") {
                    var k = j
                    while k < n && isSpace(scalars[k]) && scalars[k] != "\n" { k += 1 }
                    if k < n && scalars[k] != "\n" {
                        let next = scalars[k]
                        if isUpper(next) || isOpeningQuote(next) || ("0"..."9").contains(next) {
                            endSentence(tokens.count)
                        }
                    }
                }
            }
            i = j
        }
        endLine()
        return (scalars, tokens, sentences)
    }

    /// The text's code points, decoded from its UTF-8 in one pass (the generic
    /// `Array(text.unicodeScalars)` counts them first, then copies).
    public static func scalars(of text: String) -> [Unicode.Scalar] {
        var text = text
        return text.withUTF8 { b in
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(b.count)
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                var v: UInt32
                if c < 0x80 {
                    v = UInt32(c); i += 1
                } else if c < 0xE0 {
                    v = UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F); i += 2
                } else if c < 0xF0 {
                    v = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F); i += 3
                } else {
                    v = UInt32(c & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                        | UInt32(b[i + 3] & 0x3F)
                    i += 4
                }
                // A Swift string holds valid UTF-8, so every sequence decodes to a scalar.
                out.append(Unicode.Scalar(v).unsafelyUnwrapped)
            }
            return out
        }
    }

    /// Words a title-case headline leaves in lower case.
    static let headlineLowercase: Set<String> = [
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "from", "with",
        "as", "into", "over", "after", "vs", "via", "is", "are", "'s", "up", "off", "out", "per", "than", "amid",
    ]

    /// Whether a line's tokens are a headline: no lower-case letter at all with
    /// some capitals, or at least three words and every word with letters
    /// capitalised except short function words.
    public static func isHeadline(_ s: [Unicode.Scalar], _ tokens: ArraySlice<Token>) -> Bool {
        var upper = false, lower = false
        var capitalisedWords = 0
        for t in tokens {
            var firstLetter: Unicode.Scalar? = nil
            for k in t.start..<t.end {
                let c = s[k]
                let isLower: Bool, isUpper: Bool
                if c.value < 128 {
                    isLower = c.value >= 97 && c.value <= 122; isUpper = c.value >= 65 && c.value <= 90
                } else {
                    isLower = c.properties.isLowercase; isUpper = c.properties.isUppercase
                }
                if isLower { lower = true; if firstLetter == nil { firstLetter = c } }
                else if isUpper { upper = true; if firstLetter == nil { firstLetter = c } }
            }
            guard let f = firstLetter else { continue }
            if f.value < 128 ? f.value <= 90 : f.properties.isUppercase { capitalisedWords += 1; continue }
            // (every listed word has at most five characters)
            if t.end - t.start > 5 { return false }
            var w = ""
            w.unicodeScalars.append(contentsOf: s[t.start..<t.end])
            if headlineLowercase.contains(w) { continue }
            // A lower-case letter and a lower-case content word: not a headline,
            // whatever follows.
            return false
        }
        if upper && !lower { return true }
        return capitalisedWords >= 3
    }

    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 128 { return c == " " || c == "\n" || c == "\t" || c == "\r" || c.value == 0x0B || c.value == 0x0C }
        return c.properties.isWhitespace || c == "\u{200B}" || c == "\u{FEFF}"
    }

    static func isOpeningQuote(_ c: Unicode.Scalar) -> Bool {
        c == "\"" || c == "'" || c == "\u{201C}" || c == "\u{2018}" || c == "\u{00AB}" || c == "("
    }

    @inline(__always) static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        if c.value < 128 {
            let v = c.value
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
        }
        let p = c.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
            || p.generalCategory == .spacingMark
    }

    /// Unicode's Uppercase property, without the property lookup for ASCII.
    @inline(__always) static func isUpper(_ c: Unicode.Scalar) -> Bool {
        c.value < 128 ? c.value >= 65 && c.value <= 90 : c.properties.isUppercase
    }

    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    static func isApostrophe(_ c: Unicode.Scalar) -> Bool { c == "'" || c == "\u{2019}" }

    /// Abbreviations that keep their final period (lowercased, without the period).
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "lt", "col", "capt", "cpt", "sgt",
        "maj", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "insp", "supt", "cmdr", "brig",
        "inc", "corp", "co", "ltd", "plc", "bros", "assn", "dept", "univ", "no", "nos", "vs", "etc", "approx",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans", "ky",
        "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "penn",
        "tenn", "tex", "va", "vt", "wash", "wis", "wisc", "wyo", "ave", "blvd", "rd", "jr", "fig", "vol", "pp",
        "ed", "eds", "est", "e.g", "i.e", "a.m", "p.m",
    ]

    /// Splits one white-space-free chunk text[lo..<hi] into tokens.
    static func splitChunk(_ s: [Unicode.Scalar], _ lo: Int, _ hi: Int, lineStart: Bool = false, into tokens: inout [Token]) {
        var lo = lo, hi = hi
        // A possessive or contraction already split off ("Assad 's", "I 'm")
        // stays one token, and so do "--" and "...".
        if hi - lo >= 2, hi - lo <= 3, isApostrophe(s[lo]), s[(lo + 1)..<hi].allSatisfy({ isAlnum($0) && !isDigit($0) }) {
            tokens.append(Token(start: lo, end: hi)); return
        }
        if hi - lo >= 2, s[lo] == "-" || s[lo] == ".", s[lo..<hi].allSatisfy({ $0 == s[lo] }) {
            tokens.append(Token(start: lo, end: hi)); return
        }
        // Leading punctuation, one token per mark.
        while lo < hi && !isAlnum(s[lo]) {
            tokens.append(Token(start: lo, end: lo + 1)); lo += 1
        }
        if lo == hi { return }
        // Trailing punctuation, kept in order after the word.
        var trailing: [Token] = []
        while hi > lo && !isAlnum(s[hi - 1]) {
            let c = s[hi - 1]
            if c == "." && keepsPeriod(s, lo, hi) { break }
            // "1." opening a line numbers a list item; it does not end a sentence.
            if c == "." && lineStart && hi - 1 > lo && s[lo..<(hi - 1)].allSatisfy(isDigit) {
                tokens.append(Token(start: lo, end: hi))
                tokens.append(contentsOf: trailing.reversed())
                return
            }
            if isApostrophe(c) && hi - 1 > lo && (s[hi - 2] == "s" || s[hi - 2] == "S") && hi - lo > 2 {
                // "states'" -> "states" + "'"
                trailing.append(Token(start: hi - 1, end: hi)); hi -= 1
                break
            }
            trailing.append(Token(start: hi - 1, end: hi)); hi -= 1
        }
        // Possessive and contraction suffixes: "Assad's" -> "Assad" + "'s".
        if hi - lo > 2, isApostrophe(s[hi - 2]), s[hi - 1] == "s" || s[hi - 1] == "S" {
            trailing.append(Token(start: hi - 2, end: hi)); hi -= 2
        }
        splitCore(s, lo, hi, into: &tokens)
        tokens.append(contentsOf: trailing.reversed())
    }

    /// Whether the period ending text[lo..<hi] belongs to the word.
    static func keepsPeriod(_ s: [Unicode.Scalar], _ lo: Int, _ hi: Int) -> Bool {
        let word = s[lo..<(hi - 1)]
        if word.isEmpty { return false }
        // "U.S." "e.g." "J." : letters separated by periods, single letters.
        var letters = 0, dots = 0, ok = true
        for c in word {
            if c == "." { dots += 1 } else if isAlnum(c) && !isDigit(c) { letters += 1 } else { ok = false; break }
        }
        if ok && dots > 0 && letters <= dots + 1 {
            // every letter run is one letter long
            var run = 0, single = true
            for c in word { if c == "." { run = 0 } else { run += 1; if run > 1 { single = false } } }
            if single { return true }
        }
        if word.count == 1 && isUpper(word.first!) { return true }
        var lower = ""
        for c in word {
            if c.value < 128 { lower.unicodeScalars.append(isUpper(c) ? Unicode.Scalar(c.value + 32)! : c) } else { return false }
        }
        return abbreviations.contains(lower)
    }

    /// Splits a chunk with letters or digits at both ends at inner punctuation,
    /// except joiners between word characters.
    static func splitCore(_ s: [Unicode.Scalar], _ lo: Int, _ hi: Int, into tokens: inout [Token]) {
        var start = lo
        var k = lo
        while k < hi {
            let c = s[k]
            if isAlnum(c) { k += 1; continue }
            let prev: Unicode.Scalar? = k > lo ? s[k - 1] : nil
            let next: Unicode.Scalar? = k + 1 < hi ? s[k + 1] : nil
            let joins: Bool
            if let p = prev, let q = next, isAlnum(p), isAlnum(q) {
                switch c {
                case "-", "\u{2010}", "\u{2011}", "&", "'", "\u{2019}", "_", "@": joins = true
                case ".": joins = true                      // U.S, 3.5, example.com
                case ",", ":", "/": joins = isDigit(p) && isDigit(q)  // 40,000  10:30  1/2
                default: joins = false
                }
            } else if c == ".", k + 1 == hi - 0, keepsPeriod(s, start, k + 1) {
                joins = true
            } else {
                joins = false
            }
            if joins { k += 1; continue }
            if k > start { tokens.append(Token(start: start, end: k)) }
            tokens.append(Token(start: k, end: k + 1))
            k += 1
            start = k
        }
        if hi > start { tokens.append(Token(start: start, end: hi)) }
    }
}
