import Foundation
import HTML

/// parse-html: reads the page's bytes (`html`, or the file at `sourcePath`,
/// gzip allowed), decodes them (BOM, else valid UTF-8, else the declared
/// charset, else windows-1252), parses them with libxml2 and sets `tree` and
/// `text` (the visible text: no script, style, template or noscript; blocks on
/// their own lines). Fails a page that is empty, binary, unreadable or over the
/// size caps.
public struct ParseHTML: Stage {
    public static let descriptor = StageDescriptor(
        ParseHTML.self, name: "parse-html",
        summary: "Parse the page with libxml2 and set the visible text.",
        reads: [.html], writes: [.tree, .text])

    public struct Options: StageOptions {
        public var maxFileBytes = 64 << 20
        public var maxDecompressedBytes = 256 << 20
        public var fallbackCharset = "windows-1252"
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("maxFileBytes", \.maxFileBytes, min: 1, "Fail pages whose file is larger than this many bytes."),
            StageOption("maxDecompressedBytes", \.maxDecompressedBytes, min: 1,
                   "Fail gzip pages that inflate to more than this many bytes (gzip bombs)."),
            StageOption("fallbackCharset", \.fallbackCharset, "Charset for pages that are not UTF-8 and declare none.",
                   check: { HTMLParser.knowsEncoding($0) ? nil : "libxml2 cannot decode \"\($0)\"" }),
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
            let body = UnsafeRawBufferPointer(rebasing: raw[decision.skip...])
            return HTMLParser.parse(body, encoding: decision.encoding)
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

    /// A reason to believe `bytes` are not a text document: NUL bytes or mostly
    /// control characters in the first 4 KiB (UTF-16 with a BOM is text).
    static func binaryReason(_ bytes: [UInt8]) -> String? {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return nil
        }
        let sample = bytes.prefix(4096)
        var controls = 0
        for b in sample {
            if b == 0 { return "binary data (NUL bytes)" }
            if b < 0x20, b != 0x09, b != 0x0A, b != 0x0D, b != 0x0C { controls += 1 }
        }
        if controls * 10 > sample.count { return "binary data (\(controls) control bytes in the first \(sample.count))" }
        return nil
    }
}
