/// Decides how to decode a page's bytes, in the order browsers and the issue
/// agree on: a byte-order mark, else bytes that are UTF-8 (valid, or nearly:
/// a few malformed bytes become U+FFFD as browsers do), else the charset the
/// page declares, else windows-1252.
public enum Charset {
    public enum Source: String, Sendable {
        case bom, utf8Valid = "valid-utf8", utf8Mostly = "mostly-utf8", declared, hint, fallback
    }

    public struct Decision: Sendable, Equatable {
        public var encoding: String
        public var source: Source
        /// Bytes to skip at the start (the BOM).
        public var skip: Int

        public init(encoding: String, source: Source, skip: Int) {
            self.encoding = encoding
            self.source = source
            self.skip = skip
        }
    }

    /// - Parameter hint: a charset from outside the page (an HTTP header), used
    ///   before the page's own declaration.
    public static func detect(_ bytes: UnsafeRawBufferPointer, hint: String? = nil) -> Decision {
        let b = bytes.bindMemory(to: UInt8.self)
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            return Decision(encoding: "UTF-8", source: .bom, skip: 3)
        }
        if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE {
            return Decision(encoding: "UTF-16LE", source: .bom, skip: 2)
        }
        if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF {
            return Decision(encoding: "UTF-16BE", source: .bom, skip: 2)
        }
        if isValidUTF8(b) {
            return Decision(encoding: "UTF-8", source: .utf8Valid, skip: 0)
        }
        // Not valid UTF-8. The outside hint wins over the page's own label,
        // as an HTTP header does in browsers.
        let declared = declaredCharset(b)
        let firstLabel = [hint, declared].lazy.compactMap { $0 }.first { isUTF8Label($0) || usable($0) != nil }
        // A page that is UTF-8 but for a few bad bytes (a truncated character,
        // a pasted Latin-1 quote) is read as UTF-8, each bad byte costing one
        // U+FFFD. Labelled UTF-8, the bytes need only agree as often as they
        // disagree; otherwise, four well-formed sequences per malformed one.
        // Legacy text (windows-1251, Shift_JIS, ...) forms UTF-8 sequences only
        // by accident, far less often than it breaks them.
        let evidence = Transcode.utf8Evidence(b)
        let saysUTF8 = firstLabel.map(isUTF8Label) ?? false
        if evidence.multiByte >= (saysUTF8 ? 1 : 4) * evidence.errors {
            return Decision(encoding: "UTF-8", source: .utf8Mostly, skip: 0)
        }
        if let hint, let name = usable(hint) {
            return Decision(encoding: name, source: .hint, skip: 0)
        }
        if let declared, let name = usable(declared) {
            return Decision(encoding: name, source: .declared, skip: 0)
        }
        return Decision(encoding: "windows-1252", source: .fallback, skip: 0)
    }

    /// Labels that mean UTF-8. A page so labelled whose bytes are mostly not
    /// UTF-8 is most often windows-1252 (see `detect`).
    static func isUTF8Label(_ label: String) -> Bool {
        switch label.trimmingASCIIWhitespace().lowercased() {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8": return true
        default: return false
        }
    }

    /// A declared name we can decode with, mapping the labels whose meaning the
    /// web changed: pages labelled latin-1 or ASCII are really windows-1252, and
    /// a page labelled UTF-8 that fails to validate is most often windows-1252.
    static func usable(_ label: String) -> String? {
        let name = label.trimmingASCIIWhitespace().lowercased()
        switch name {
        case "", "utf-8", "utf8", "unicode-1-1-utf-8", "utf-16", "utf-16le", "utf-16be":
            return nil
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp1252",
             "windows-1252", "x-cp1252", "iso_8859-1", "ansi_x3.4-1968":
            return "windows-1252"
        case "gb2312", "gbk", "x-gbk":
            return HTMLParser.knowsEncoding("GB18030") ? "GB18030" : nil
        case "shift-jis", "sjis", "x-sjis", "ms_kanji":
            return "Shift_JIS"
        default:
            return HTMLParser.knowsEncoding(name) ? name : nil
        }
    }

    /// Finds `charset=NAME` in the first 8 KiB (meta charset or http-equiv).
    static func declaredCharset(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        let limit = min(b.count, 8192)
        let needle: [UInt8] = Array("charset".utf8)
        var i = 0
        while i + needle.count < limit {
            var match = true
            for k in 0 ..< needle.count where (b[i + k] | 0x20) != needle[k] {
                match = false
                break
            }
            if match {
                var j = i + needle.count
                while j < limit, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                if j < limit, b[j] == UInt8(ascii: "=") {
                    j += 1
                    while j < limit, b[j] == 0x20 || b[j] == 0x22 || b[j] == 0x27 { j += 1 }
                    var name: [UInt8] = []
                    while j < limit, name.count < 40 {
                        let c = b[j]
                        let ok = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A)
                            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ":")
                            || c == UInt8(ascii: ".")
                        if !ok { break }
                        name.append(c)
                        j += 1
                    }
                    if !name.isEmpty { return String(decoding: name, as: UTF8.self) }
                }
            }
            i += 1
        }
        return nil
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, nothing past U+10FFFF).
    public static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            // Fast path: 8 ASCII bytes at a time.
            while i + 8 <= n {
                let word = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { return true }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if c < 0xF0 {
                guard i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return false }
                if c == 0xE0 && b[i + 1] < 0xA0 { return false }
                if c == 0xED && b[i + 1] >= 0xA0 { return false }
                i += 3
            } else if c < 0xF5 {
                guard i + 3 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80,
                      b[i + 3] & 0xC0 == 0x80 else { return false }
                if c == 0xF0 && b[i + 1] < 0x90 { return false }
                if c == 0xF4 && b[i + 1] >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
