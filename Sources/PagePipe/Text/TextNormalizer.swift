import Foundation

/// Canonical text for everything downstream. The steps, each switchable, in
/// the order they run:
/// 1. mojibake repaired (`Mojibake`),
/// 2. HTML character references decoded, repeatedly for "&amp;amp;" (`HTMLEntities`),
/// 3. C1 controls read as the windows-1252 characters they stand for,
/// 4. curly quotes U+2018–U+201F to ASCII ' and " (guillemets kept),
/// 5. Latin ligatures U+FB00–FB06 expanded,
/// 6. no-break space, narrow no-break space and thin space to a plain space (not collapsed),
/// 7. zero-width space, word joiner, BOM and soft hyphen removed (ZWJ and ZWNJ kept: they shape scripts and emoji),
/// 8. Unicode normalization (NFC by default, or NFKC).
/// Clean text comes back unchanged, and ASCII text without "&" without a copy.
public struct TextNormalizer: Sendable {
    public enum Form: String, Sendable, CaseIterable, OptionChoice { case nfc, nfkc, none }
    public enum Quotes: String, Sendable, CaseIterable, OptionChoice {
        /// ‘ ’ ‚ ‛ to ', “ ” „ ‟ to ".
        case ascii
        /// Leave them.
        case keep
    }

    public var repairMojibake = true
    public var decodeEntities = true
    public var c1Controls = true
    public var quotes = Quotes.ascii
    public var ligatures = true
    public var spaces = true
    public var removeInvisible = true
    public var form = Form.nfc

    public init() {}

    public func normalize(_ text: String) -> String {
        // Fast path: ASCII without '&' has nothing any step would change.
        var plain = true
        for b in text.utf8 where b >= 0x80 || b == 0x26 { plain = false; break }
        if plain { return text }

        var s = Self.scalars(text)
        var changed = false
        if repairMojibake, Mojibake.repair(&s) { changed = true }
        if decodeEntities {
            for _ in 0 ..< 3 {
                guard HTMLEntities.decode(&s) else { break }
                changed = true
            }
        }
        if mapCharacters(&s) { changed = true }

        var out = text
        if changed {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(s.count + s.count / 2)
            for v in s { Self.appendUTF8(v, to: &bytes) }
            out = String(decoding: bytes, as: UTF8.self)
        }
        switch form {
        case .nfc:
            if !s.allSatisfy(Self.isNFCInert) { out = out.precomposedStringWithCanonicalMapping }
        case .nfkc:
            if !s.allSatisfy({ $0 < 0xA0 }) { out = out.precomposedStringWithCompatibilityMapping }
        case .none:
            break
        }
        return out
    }

    /// Steps 3–7, one pass; returns whether anything changed.
    func mapCharacters(_ s: inout [UInt32]) -> Bool {
        var out: [UInt32] = []
        var changed = false
        for (k, original) in s.enumerated() {
            var replacement: [UInt32]? = nil
            var v = original
            if v >= 0x80, v <= 0x9F, c1Controls {
                v = UInt32(Mojibake.cp1252High[Int(v - 0x80)])
                // The five bytes windows-1252 leaves undefined carry nothing: drop them.
                replacement = v == original ? [] : [v]
            }
            switch v {
            case 0x2018 ... 0x201B where quotes == .ascii: replacement = [0x27]
            case 0x201C ... 0x201F where quotes == .ascii: replacement = [0x22]
            case 0xFB00 ... 0xFB06 where ligatures: replacement = Self.ligatureExpansions[Int(v - 0xFB00)]
            case 0xA0, 0x202F, 0x2009: if spaces { replacement = [0x20] }
            case 0x200B, 0x2060, 0xFEFF, 0xAD: if removeInvisible { replacement = [] }
            default: break
            }
            if let replacement {
                if !changed {
                    changed = true
                    out.reserveCapacity(s.count)
                    out.append(contentsOf: s[..<k])
                }
                out.append(contentsOf: replacement)
            } else if changed {
                out.append(v)
            }
        }
        if changed { s = out }
        return changed
    }

    static let ligatureExpansions: [[UInt32]] = [
        [0x66, 0x66], [0x66, 0x69], [0x66, 0x6C], [0x66, 0x66, 0x69], [0x66, 0x66, 0x6C], [0x73, 0x74], [0x73, 0x74],
    ]

    /// Characters NFC leaves alone whatever surrounds them (no decomposition,
    /// never combine with a neighbour): lets most text skip Foundation's NFC.
    @inline(__always) static func isNFCInert(_ v: UInt32) -> Bool {
        switch v {
        case 0 ..< 0x300, 0x386, 0x388 ..< 0x3CF, 0x400 ..< 0x483, 0x48A ..< 0x530, 0x5D0 ..< 0x5EB, 0x621 ..< 0x64B,
             0x2002 ..< 0x2070, 0x3000 ..< 0x3099, 0x30A0 ..< 0x30FF, 0x4E00 ..< 0xA000, 0xAC00 ..< 0xD7A4:
            return true
        default:
            return false
        }
    }

    /// The code points of `text`, decoded straight from its UTF-8 (valid, as every String is).
    static func scalars(_ text: String) -> [UInt32] {
        var t = text
        return t.withUTF8 { b in
            [UInt32](unsafeUninitializedCapacity: b.count) { out, count in
                var i = 0, k = 0
                let n = b.count
                while i < n {
                    let c = b[i]
                    if c < 0x80 {
                        out[k] = UInt32(c); i += 1
                    } else if c < 0xE0 {
                        out[k] = UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F); i += 2
                    } else if c < 0xF0 {
                        out[k] = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F); i += 3
                    } else {
                        out[k] = UInt32(c & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                            | UInt32(b[i + 3] & 0x3F)
                        i += 4
                    }
                    k += 1
                }
                count = k
            }
        }
    }

    @inline(__always) static func appendUTF8(_ v: UInt32, to b: inout [UInt8]) {
        switch v {
        case 0 ..< 0x80:
            b.append(UInt8(v))
        case 0x80 ..< 0x800:
            b.append(UInt8(0xC0 | v >> 6)); b.append(UInt8(0x80 | v & 0x3F))
        case 0x800 ..< 0x10000:
            b.append(UInt8(0xE0 | v >> 12)); b.append(UInt8(0x80 | (v >> 6) & 0x3F)); b.append(UInt8(0x80 | v & 0x3F))
        default:
            b.append(UInt8(0xF0 | v >> 18)); b.append(UInt8(0x80 | (v >> 12) & 0x3F))
            b.append(UInt8(0x80 | (v >> 6) & 0x3F)); b.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
