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
    var phrases: [UInt64: UInt16] = [:]
    public static let maxWords = 4

    public init() {}

    /// Reads "CLASS<TAB>phrase" lines; phrases are tokenized like page text.
    public init(text: String) {
        phrases.reserveCapacity(70_000)
        for line in text.split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t"), let cls = Class(name: String(line[..<tab])) else { continue }
            let phrase = String(line[line.index(after: tab)...])
            let (scalars, tokens, _) = Tokenizer.tokenize(phrase)
            guard !tokens.isEmpty, tokens.count <= Self.maxWords else { continue }
            var h = fnvSeed
            for t in tokens { h = Self.step(h, NERFeatures.info(scalars, t.start, t.end, headline: false).lower) }
            phrases[h, default: 0] |= cls.rawValue
        }
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
            if let m = phrases[Self.step(fnvSeed, infos[i].lower)], m >= 64 {
                infos[i].gazetteer |= UInt32((m >> 6) & 31) << 14
            }
            let c = infos[i].cap
            guard c == 1 || c == 2 || c == 4 else { continue }
            var h = fnvSeed
            var found: [(len: Int, mask: UInt16)] = []
            var k = i
            while k < hi && k - i < Self.maxWords {
                h = Self.step(h, infos[k].lower)
                if let m = phrases[h] { found.append((k - i + 1, m)) }
                k += 1
            }
            if found.isEmpty { continue }
            for f in found where f.len == 1 {
                if f.mask & Class.first.rawValue != 0 { infos[i].gazetteer |= 1 }
                if f.mask & Class.last.rawValue != 0 { infos[i].gazetteer |= 2 }
            }
            for (slot, cls) in [Class.location, .country, .organization, .misc].enumerated() {
                guard let best = found.last(where: { $0.mask & cls.rawValue != 0 }) else { continue }
                let base = UInt32(2 + 3 * slot)
                if best.len == 1 { infos[i].gazetteer |= 1 << base; continue }
                infos[i].gazetteer |= 1 << (base + 1)
                for j in (i + 1)..<(i + best.len) { infos[j].gazetteer |= 1 << (base + 2) }
            }
        }
    }
}
