/// Name lists (places, countries, first names, surnames) the tagger reads as
/// features: a list tells the model "this phrase is a known place", and the
/// model learns how far to trust that. Built by scripts/build-gazetteers.py.
public struct Gazetteer: Sendable {
    public enum Class: UInt16, CaseIterable, Sendable {
        case first = 1, last = 2, location = 4, country = 8, organization = 16, misc = 32
        /// Zipf frequency of the lowercased word in English, 3 to 7 and up.
        case freq3 = 64, freq4 = 128, freq5 = 256, freq6 = 512, freq7 = 1024
        init?(name: String) {
            switch name {
            case "FREQ3": self = .freq3
            case "FREQ4": self = .freq4
            case "FREQ5": self = .freq5
            case "FREQ6": self = .freq6
            case "FREQ7": self = .freq7
            case "FIRST": self = .first
            case "LAST": self = .last
            case "LOC": self = .location
            case "COUNTRY": self = .country
            case "ORG": self = .organization
            case "MISC": self = .misc
            default: return nil
            }
        }
    }

    /// Phrase hash (lowercased tokens) -> set of classes.
    var phrases = PhraseTable()
    public static let maxWords = 4

    public init() {}

    /// Reads "CLASS<TAB>phrase" lines; phrases are tokenized like page text.
    public init(text: String) {
        var phrases: [UInt64: UInt16] = [:]
        phrases.reserveCapacity(70_000)
        // Lines and the tab found on UTF-8 bytes (the Character views cost most of the load time).
        var text = text
        let lines: [(cls: Class, phrase: String)] = text.withUTF8 { bytes in
            var out: [(cls: Class, phrase: String)] = []
            out.reserveCapacity(100_000)
            var start = 0
            let n = bytes.count
            while start < n {
                var end = start
                while end < n && bytes[end] != 0x0A { end += 1 }
                var tab = start
                while tab < end && bytes[tab] != 0x09 { tab += 1 }
                if tab < end, let cls = Class(name: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<tab]), as: UTF8.self)) {
                    out.append((cls, String(decoding: UnsafeBufferPointer(rebasing: bytes[(tab + 1)..<end]), as: UTF8.self)))
                }
                start = end + 1
            }
            return out
        }
        for (cls, phrase) in lines {
            let (scalars, tokens, _) = Tokenizer.tokenize(phrase)
            guard !tokens.isEmpty, tokens.count <= Self.maxWords else { continue }
            var h = fnvSeed
            for t in tokens { h = Self.step(h, NERFeatures.info(scalars, t.start, t.end, headline: false).lower) }
            phrases[h, default: 0] |= cls.rawValue
        }
        self.phrases = PhraseTable(phrases)
    }

    public var count: Int { phrases.count }

    @inline(__always) static func step(_ h: UInt64, _ word: UInt64) -> UInt64 { mix64(h ^ word) }

    /// Sets `gazetteer` bits on the tokens of one sentence: bit 0 first name,
    /// 1 surname, then for place, country, organisation, misc three bits each
    /// (unit, begin, inside) of the longest phrase starting at a capitalised
    /// token; bits 14-18 the word's frequency class (any token).
    public func annotate(_ infos: inout [TokenInfo], _ range: Range<Int>, headline: Bool) {
        if phrases.isEmpty { return }
        let hi = range.upperBound
        for i in range {
            let single = phrases[Self.step(fnvSeed, infos[i].lower)]
            if let m = single, m >= 64 {
                infos[i].gazetteer |= UInt32((m >> 6) & 31) << 14
            }
            guard infos[i].cap.isCapitalised else { continue }
            var h = Self.step(fnvSeed, infos[i].lower)
            // found[len - 1]: the classes of the phrase of `len` words starting here (0: none)
            var found: (UInt16, UInt16, UInt16, UInt16) = (single ?? 0, 0, 0, 0)
            var any = single != nil
            var k = i + 1
            while k < hi && k - i < Self.maxWords {
                h = Self.step(h, infos[k].lower)
                if let m = phrases[h] {
                    any = true
                    switch k - i { case 0: found.0 = m; case 1: found.1 = m; case 2: found.2 = m; default: found.3 = m }
                }
                k += 1
            }
            if !any { continue }
            if found.0 & Class.first.rawValue != 0 { infos[i].gazetteer |= 1 }
            if found.0 & Class.last.rawValue != 0 { infos[i].gazetteer |= 2 }
            for slot in 0..<4 {
                let cls: UInt16 = slot == 0 ? Class.location.rawValue : slot == 1 ? Class.country.rawValue
                    : slot == 2 ? Class.organization.rawValue : Class.misc.rawValue
                // the longest phrase of this class
                let len = found.3 & cls != 0 ? 4 : found.2 & cls != 0 ? 3 : found.1 & cls != 0 ? 2 : found.0 & cls != 0 ? 1 : 0
                if len == 0 { continue }
                let base = UInt32(2 + 3 * slot)
                if len == 1 { infos[i].gazetteer |= 1 << base; continue }
                infos[i].gazetteer |= 1 << (base + 1)
                for j in (i + 1)..<(i + len) { infos[j].gazetteer |= 1 << (base + 2) }
            }
        }
    }
}

/// A read-only open-addressing hash table from phrase hashes (already well
/// mixed) to class bits; faster than a Dictionary, which rehashes its keys.
struct PhraseTable: Sendable {
    /// Key and value side by side: one cache line read per lookup.
    struct Slot { var key: UInt64 = 0; var value: UInt16 = 0 }
    var slots: [Slot] = []
    var mask = 0
    /// The value of key 0, which marks empty slots in `keys`.
    var zeroValue: UInt16? = nil
    var count = 0

    init() {}

    init(_ dictionary: [UInt64: UInt16]) {
        var capacity = 16
        while capacity < 2 * dictionary.count { capacity *= 2 }
        slots = [Slot](repeating: Slot(), count: capacity)
        mask = capacity - 1
        count = dictionary.count
        for (k, v) in dictionary {
            if k == 0 { zeroValue = v; continue }
            var slot = Int(truncatingIfNeeded: k) & mask
            while slots[slot].key != 0 { slot = (slot + 1) & mask }
            slots[slot] = Slot(key: k, value: v)
        }
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) subscript(key: UInt64) -> UInt16? {
        if key == 0 { return zeroValue }
        if mask == 0 { return nil }
        return slots.withUnsafeBufferPointer { sb in
            var slot = Int(truncatingIfNeeded: key) & mask
            while true {
                let k = sb[slot].key
                if k == key { return sb[slot].value }
                if k == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}
