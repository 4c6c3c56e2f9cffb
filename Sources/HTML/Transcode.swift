#if canImport(Glibc)
import Glibc
#endif

/// Turns a page's bytes into valid UTF-8 before libxml2 sees them, the way
/// browsers decode (WHATWG Encoding): a malformed sequence becomes U+FFFD and
/// decoding goes on. libxml2 left to itself stops at the first byte its
/// decoder rejects, and the rest of the page is lost: a UTF-8 page with one
/// stray byte read as windows-1252 ends at the first 0x81, 0x8D, 0x8F, 0x90
/// or 0x9D (bytes inside "Á", "”", most Cyrillic), a Shift_JIS page at its
/// first broken character.
public enum Transcode {
    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// What the WHATWG UTF-8 decoder would make of `b`: how many well-formed
    /// multi-byte sequences it holds and how many U+FFFD it would emit.
    public static func utf8Evidence(_ b: UnsafeBufferPointer<UInt8>) -> (multiByte: Int, errors: Int) {
        var multiByte = 0, errors = 0
        walkUTF8(b) { event in
            switch event {
            case .ascii: break
            case .sequence: multiByte += 1
            case .error: errors += 1
            }
        }
        return (multiByte, errors)
    }

    /// WHATWG "UTF-8 decode" with replacement, as UTF-8 bytes: well-formed
    /// sequences are copied, each maximal malformed subpart becomes U+FFFD.
    public static func repairUTF8(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 64)
        walkUTF8(b) { event in
            switch event {
            case .ascii(let byte): out.append(byte)
            case .sequence(let range): out.append(contentsOf: b[range])
            case .error: out.append(contentsOf: replacement)
            }
        }
        return out
    }

    enum UTF8Event {
        case ascii(UInt8)
        case sequence(Range<Int>)
        case error
    }

    /// The WHATWG UTF-8 decoder's state machine (encoding.spec.whatwg.org,
    /// "UTF-8 decoder"): a byte outside the expected range ends the sequence
    /// with one error and is looked at again as the start of the next.
    @inline(__always)
    static func walkUTF8(_ b: UnsafeBufferPointer<UInt8>, _ emit: (UTF8Event) -> Void) {
        var needed = 0, seen = 0, start = 0
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        var i = 0
        while i < b.count {
            let byte = b[i]
            if needed == 0 {
                switch byte {
                case 0x00 ... 0x7F: emit(.ascii(byte))
                case 0xC2 ... 0xDF: needed = 1
                case 0xE0 ... 0xEF:
                    if byte == 0xE0 { lower = 0xA0 }
                    if byte == 0xED { upper = 0x9F }
                    needed = 2
                case 0xF0 ... 0xF4:
                    if byte == 0xF0 { lower = 0x90 }
                    if byte == 0xF4 { upper = 0x8F }
                    needed = 3
                default: emit(.error)
                }
                start = i
                i += 1
                continue
            }
            guard byte >= lower && byte <= upper else {
                needed = 0; seen = 0; lower = 0x80; upper = 0xBF
                emit(.error)
                continue // the byte starts over
            }
            lower = 0x80; upper = 0xBF
            seen += 1
            i += 1
            if seen == needed {
                emit(.sequence(start ..< i))
                needed = 0; seen = 0
            }
        }
        if needed != 0 { emit(.error) }
    }

    /// `b` decoded from `encoding` into UTF-8, malformed input replaced by
    /// U+FFFD; nil when this system cannot convert from `encoding` (libxml2
    /// then decodes it itself).
    public static func toUTF8(_ b: UnsafeBufferPointer<UInt8>, from encoding: String) -> [UInt8]? {
        switch encoding.lowercased() {
        case "utf-8", "utf8": return repairUTF8(b)
        case "windows-1252", "cp1252", "iso-8859-1", "latin1": return windows1252(b)
        default: return iconvert(b, from: encoding)
        }
    }

    /// windows-1252 as WHATWG defines it: every byte is a character (the five
    /// bytes the Microsoft table leaves out, 0x81 0x8D 0x8F 0x90 0x9D, are the
    /// C1 controls of the same value), so nothing is ever cut.
    static func windows1252(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + b.count / 8)
        for byte in b {
            if byte < 0x80 { out.append(byte); continue }
            let scalar = byte < 0xA0 ? windows1252High[Int(byte - 0x80)] : UInt32(byte)
            appendUTF8(scalar, to: &out)
        }
        return out
    }

    /// windows-1252 0x80 ... 0x9F (WHATWG index-windows-1252).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    @inline(__always)
    static func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
        if c < 0x80 {
            out.append(UInt8(c))
        } else if c < 0x800 {
            out.append(UInt8(0xC0 | (c >> 6)))
            out.append(UInt8(0x80 | (c & 0x3F)))
        } else {
            out.append(UInt8(0xE0 | (c >> 12)))
            out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (c & 0x3F)))
        }
    }

    /// Any other charset through the C library's iconv (the converter libxml2
    /// itself would use), going on past what it rejects: a malformed unit
    /// becomes U+FFFD and decoding resumes after it.
    static func iconvert(_ b: UnsafeBufferPointer<UInt8>, from encoding: String) -> [UInt8]? {
        #if canImport(Glibc)
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        // A malformed UTF-16 unit is two bytes; skipping one would misalign the rest.
        let unit = encoding.lowercased().hasPrefix("utf-16") ? 2 : 1
        var out = [UInt8](repeating: 0, count: b.count * 2 + 64)
        var written = 0
        guard let base = b.baseAddress, b.count > 0 else { return [] }
        var inPtr = UnsafeMutablePointer<CChar>(OpaquePointer(UnsafeMutablePointer(mutating: base)))
        var inLeft = b.count
        while inLeft > 0 {
            var outLeft = out.count - written
            let (result, err, used): (Int, Int32, Int) = out.withUnsafeMutableBytes { raw in
                var outPtr: UnsafeMutablePointer<CChar>? = raw.baseAddress!.advanced(by: written)
                    .assumingMemoryBound(to: CChar.self)
                var inOpt: UnsafeMutablePointer<CChar>? = inPtr
                let before = outLeft
                let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
                let e = errno
                inPtr = inOpt!
                return (r, e, before - outLeft)
            }
            written += used
            if result != -1 { break }
            switch err {
            case E2BIG:
                out.append(contentsOf: [UInt8](repeating: 0, count: out.count))
            case EILSEQ, EINVAL:
                // EINVAL: a sequence cut off by the end of the page.
                let skip = err == EINVAL ? inLeft : min(unit, inLeft)
                if out.count - written < 3 { out.append(contentsOf: [UInt8](repeating: 0, count: 64)) }
                out.replaceSubrange(written ..< written + 3, with: replacement)
                written += 3
                inPtr += skip
                inLeft -= skip
            default:
                return nil
            }
        }
        out.removeSubrange(written...)
        return out
        #else
        return nil
        #endif
    }
}
