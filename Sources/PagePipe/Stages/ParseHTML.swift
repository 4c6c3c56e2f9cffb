import Foundation
import HTML

/// parse-html: reads the page's bytes (`html`, or the file at `sourcePath`,
/// gzip allowed), decodes them (BOM, else UTF-8 if the bytes are UTF-8 but for
/// a few bad ones, else the declared charset, else windows-1252; bad bytes
/// become U+FFFD), parses them with libxml2 as an HTML5 parser would read the
/// text (noscript as with scripting on) and sets `tree` and `text` (the visible
/// text: no script, style, template or noscript, ruby base text without its
/// readings; blocks on their own lines). Fails a page that is empty, binary,
/// unreadable or over the size caps.
public struct ParseHTML: Stage {
    public static let descriptor = StageDescriptor(
        ParseHTML.self, name: "parse-html",
        summary: "Parse the page with libxml2 and set the visible text.",
        reads: [.html], writes: [.tree, .text])

    public struct Options: StageOptions {
        public var maxFileBytes = 64 << 20
        public var maxDecompressedBytes = 256 << 20
        public var fallbackCharset = "windows-1252"
        public var rubyReadings = false
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("maxFileBytes", \.maxFileBytes, min: 1, "Fail pages whose file is larger than this many bytes."),
            StageOption("maxDecompressedBytes", \.maxDecompressedBytes, min: 1,
                   "Fail gzip pages that inflate to more than this many bytes (gzip bombs)."),
            StageOption("fallbackCharset", \.fallbackCharset, "Charset for pages that are not UTF-8 and declare none.",
                   check: { HTMLParser.knowsEncoding($0) ? nil : "libxml2 cannot decode \"\($0)\"" }),
            StageOption("rubyReadings", \.rubyReadings,
                   "Keep ruby readings (rt, rp) in the text after their base text; off, the text reads as the base text alone."),
        ]
    }

    let options: Options
    /// Off when no later stage reads `text` (remove-boilerplate replaces it
    /// from the tree): rendering it would be work done for nothing.
    var renderText = true

    public init(options: Options) {
        self.options = options
    }

    public mutating func skipWriting(_ unread: Set<DocumentField>) {
        if unread.contains(.text) { renderText = false }
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        let bytes = try loadBytes(document)
        document.html = nil
        guard !bytes.isEmpty else { throw PageError("the page is empty (0 bytes)") }
        if let why = Self.binaryReason(bytes) { throw PageError("not HTML: \(why)") }
        let tree: HTMLTree? = bytes.withUnsafeBytes { raw in
            var decision = Charset.detect(raw, hint: document.charsetHint)
            if decision.source == .fallback { decision.encoding = options.fallbackCharset }
            return HTMLParser.parse(raw, as: decision, rubyReadings: options.rubyReadings)
        }
        guard let tree else { throw PageError("libxml2 could not parse the page") }
        if renderText { document.text = TextRenderer.render(tree) }
        document.tree = tree
        return .keep
    }

    func loadBytes(_ document: Document) throws -> [UInt8] {
        var bytes: [UInt8]
        if let html = document.html {
            bytes = html
        } else if let path = document.sourcePath {
            bytes = try Self.readFile(path, limit: options.maxFileBytes)
        } else if document.text != nil {
            throw PageError("parse-html needs HTML (\"html\" or \"path\"), got only \"text\"")
        } else {
            throw PageError("no HTML to parse")
        }
        if Gzip.isGzip(bytes) {
            do {
                bytes = try Gzip.decompress(bytes, limit: options.maxDecompressedBytes)
            } catch let e as GzipError {
                throw PageError("\(e)")
            }
        }
        return bytes
    }

    /// Reads a whole file, refusing one larger than `limit` before reading it.
    static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PageError("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw PageError("cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw PageError("is a directory") }
        let size = Int(st.st_size)
        if size > limit { throw PageError("file is \(size) bytes, over the limit of \(limit) (maxFileBytes)") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PageError("cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        if done < size { bytes.removeSubrange(done...) }
        return bytes
    }

    /// A reason to believe `bytes` are not a text document: the signature of a
    /// common binary format, or NUL and control bytes that no text page has
    /// that many of in its first 4 KiB (UTF-16 with a BOM is text). A stray NUL
    /// or two costs a character, not the page.
    static func binaryReason(_ bytes: [UInt8]) -> String? {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return nil
        }
        let sample = bytes.prefix(4096)
        var nuls = 0, controls = 0
        for b in sample {
            if b == 0 { nuls += 1 } else if b < 0x20, b != 0x09, b != 0x0A, b != 0x0D, b != 0x0C { controls += 1 }
        }
        if nuls >= 2 && nuls * 64 > sample.count { return "binary data (NUL bytes)" }
        for (signature, format) in binarySignatures where bytes.starts(with: signature) {
            return "\(format) data"
        }
        if (nuls + controls) * 10 > sample.count {
            return "binary data (\(nuls + controls) control bytes in the first \(sample.count))"
        }
        return nil
    }

    static let binarySignatures: [([UInt8], String)] = [
        (Array("%PDF-".utf8), "PDF"), ([0x89, 0x50, 0x4E, 0x47], "PNG"), (Array("GIF8".utf8), "GIF"),
        ([0xFF, 0xD8, 0xFF], "JPEG"), ([0x50, 0x4B, 0x03, 0x04], "ZIP"), ([0x7F, 0x45, 0x4C, 0x46], "ELF"),
    ]
}
