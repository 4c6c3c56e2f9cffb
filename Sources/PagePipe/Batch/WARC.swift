import HTML

// WARC input: web archives as Common Crawl publishes them (ISO 28500, WARC/1.0
// and WARC/1.1), plain (.warc) or gzip (.warc.gz, one member per record, or the
// whole file as one member). HTML responses become pages; everything else is
// counted and skipped.

/// A WARC file that cannot be read further. The records before it were read.
public struct WARCError: Error, CustomStringConvertible, Sendable {
    /// Offset of the bad record in the uncompressed WARC data.
    public var offset: Int64
    /// For gzip files: the file offset of the gzip member that holds it.
    public var compressedOffset: Int64?
    public var message: String

    public var description: String {
        var at = "at byte \(offset)"
        if let compressedOffset { at += " (gzip member at file byte \(compressedOffset))" }
        return "WARC \(at): \(message)"
    }
}

/// One WARC record: its named fields and its content block.
public struct WARCRecord: Sendable {
    /// "WARC/1.0", "WARC/1.1".
    public var version: String
    /// The named fields in file order, names as written.
    public var headers: [(name: String, value: String)]
    /// The content block, or nil when it was larger than the reader's cap (then skipped unread).
    public var block: [UInt8]?
    /// The declared Content-Length.
    public var contentLength: Int
    /// Where the record starts in the uncompressed WARC data.
    public var offset: Int64

    /// The first field named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEqual($0.name, name) }?.value
    }

    /// WARC-Type, lowercased ("response", "request", "warcinfo", ...).
    public var type: String { header("WARC-Type")?.lowercased() ?? "" }

    /// WARC-Record-ID without its angle brackets.
    public var recordID: String? { header("WARC-Record-ID").map(stripAngleBrackets) }
}

/// An HTML page read from a WARC response record.
public struct WARCPage: Sendable, Equatable {
    /// WARC-Record-ID without `<>`, e.g. `urn:uuid:...`.
    public var recordID: String
    /// WARC-Target-URI.
    public var targetURI: String?
    /// WARC-Date: when the page was fetched.
    public var date: String?
    /// The charset named in the HTTP Content-Type header.
    public var charset: String?
    /// The HTTP body: de-chunked and decompressed.
    public var html: [UInt8]
    /// The HTTP status code (200...299).
    public var status: Int

    /// The document id of this page in the WARC file with input-relative path `file`:
    /// `crawl/CC-MAIN-x.warc.gz#urn:uuid:...`.
    public func documentID(file: String) -> String { file + "#" + recordID }

    /// A document ready for parse-html: the body as `html`, the HTTP charset as
    /// the charset hint, the target URI as `url`.
    public func document(file: String, sourcePath: String? = nil) -> Document {
        var document = Document(id: documentID(file: file))
        document.sourcePath = sourcePath
        document.html = html
        document.charsetHint = charset
        document.url = targetURI
        return document
    }
}

/// Reads a WARC file one record at a time, never holding more than one record
/// (and one read chunk) in memory.
///
///     let reader = try WARCReader(path: "crawl/CC-MAIN-x.warc.gz")
///     while let page = try reader.nextPage() { ... }
///     reader.skipped   // ["request": 3, "non-html": 12, "http-status": 2, ...]
///
/// A corrupt or truncated record throws a `WARCError` that names its offset;
/// the records before it have been returned. Not thread-safe.
public final class WARCReader {
    /// Why records were not returned as pages, counted by `nextPage()`:
    /// the WARC-Type of non-response records ("request", "warcinfo", "metadata",
    /// "revisit", ...; "no-type" without one), "non-http", "bad-http", "non-html", "http-status" (not 2xx),
    /// "too-large", "bad-encoding" (chunking or compression that would not decode),
    /// "unsupported-encoding" (e.g. br), "no-record-id", "empty-body".
    public private(set) var skipped: [String: Int] = [:]
    /// Pages returned by `nextPage()`.
    public private(set) var pages = 0
    /// Records read.
    public private(set) var records = 0

    /// Whether a file name is a WARC file this reader takes (.warc or .warc.gz, any case).
    public static func isWARCFile(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".warc") || lower.hasSuffix(".warc.gz")
    }

    private let stream: GzipStream
    private let maxRecordBytes: Int
    private let maxDecompressedBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    /// Offset in the uncompressed data of `buffer[0]`.
    private var bufferStart: Int64 = 0
    private var atEnd = false
    private var failed: WARCError?
    /// Offset of the record being read, for errors from the decompressor.
    private var recordStart: Int64 = 0

    /// Longest header block accepted: a record's named fields, or an HTTP header.
    public static let maxHeaderBytes = 256 * 1024

    /// - Parameters:
    ///   - maxRecordBytes: records whose content block is larger are skipped unread ("too-large").
    ///   - maxDecompressedBytes: a gzip Content-Encoding body inflating past this is skipped ("too-large").
    public init(path: String, maxRecordBytes: Int = 64 << 20, maxDecompressedBytes: Int = 256 << 20) throws {
        do {
            stream = try GzipStream(path: path)
        } catch {
            throw WARCError(offset: 0, compressedOffset: nil, message: "\(error)")
        }
        self.maxRecordBytes = maxRecordBytes
        self.maxDecompressedBytes = maxDecompressedBytes
    }

    // MARK: Pages

    /// The next HTML page with a 2xx status, or nil at the end of the file.
    public func nextPage() throws -> WARCPage? {
        while let record = try nextRecord() {
            switch Self.page(from: record, maxDecompressedBytes: maxDecompressedBytes) {
            case .page(let page):
                pages += 1
                return page
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
            }
        }
        return nil
    }

    public enum PageResult: Sendable, Equatable {
        case page(WARCPage)
        case skipped(reason: String)
    }

    /// The page a record holds, or why it holds none (see `skipped` for the reasons).
    public static func page(from record: WARCRecord, maxDecompressedBytes: Int = 256 << 20) -> PageResult {
        let type = record.type
        guard type == "response" else { return .skipped(reason: type.isEmpty ? "no-type" : type) }
        guard let recordID = record.recordID, !recordID.isEmpty else { return .skipped(reason: "no-record-id") }
        guard let block = record.block else { return .skipped(reason: "too-large") }
        if let contentType = record.header("Content-Type"),
           !contentType.lowercased().hasPrefix("application/http") {
            return .skipped(reason: "non-http") // dns:, ftp: and other responses
        }
        guard let http = HTTPResponse.parse(block) else { return .skipped(reason: "bad-http") }
        let contentType = http.header("Content-Type")
        if let contentType {
            guard HTTPResponse.isHTML(mediaType: contentType) else { return .skipped(reason: "non-html") }
        }
        guard (200 ... 299).contains(http.status) else { return .skipped(reason: "http-status") }
        var body = Array(block[http.bodyStart...])
        if let te = http.header("Transfer-Encoding"), te.lowercased().contains("chunked") {
            // nil: not chunked after all, the archive stored the body decoded.
            if let plain = HTTPResponse.dechunk(body) { body = plain }
        }
        if let ce = http.header("Content-Encoding")?.lowercased().trimmingASCIISpaces(), !ce.isEmpty, ce != "identity" {
            switch ce {
            case "gzip", "x-gzip", "deflate":
                // Archives (Common Crawl among them) often store the body already
                // decoded but keep the header: only inflate what is compressed.
                let zlibHeader = body.count >= 2 && body[0] & 0x0f == 8 && (UInt16(body[0]) << 8 | UInt16(body[1])) % 31 == 0
                if Gzip.isGzip(body) || (ce == "deflate" && zlibHeader) {
                    do {
                        // Crawlers cut large bodies off (WARC-Truncated): keep what inflates.
                        body = try Gzip.decompress(body, limit: maxDecompressedBytes, keepTruncated: true)
                    } catch GzipError.tooLarge {
                        return .skipped(reason: "too-large")
                    } catch {
                        return .skipped(reason: "bad-encoding")
                    }
                }
            default:
                if !HTTPResponse.looksLikeHTML(body) { return .skipped(reason: "unsupported-encoding") }
            }
        }
        if contentType == nil && !HTTPResponse.looksLikeHTML(body) { return .skipped(reason: "non-html") }
        if body.isEmpty { return .skipped(reason: "empty-body") }
        return .page(WARCPage(recordID: recordID,
                              targetURI: record.header("WARC-Target-URI").map(stripAngleBrackets),
                              date: record.header("WARC-Date"),
                              charset: contentType.flatMap(HTTPResponse.charset(ofContentType:)),
                              html: body, status: http.status))
    }

    // MARK: Records

    /// The next record, or nil at the end of the file.
    public func nextRecord() throws -> WARCRecord? {
        if let failed { throw failed }
        do {
            return try readRecord()
        } catch var error as WARCError {
            if stream.isCompressed { error.compressedOffset = stream.memberStart }
            failed = error
            throw error
        }
    }

    private var offset: Int64 { bufferStart + Int64(position) }

    private func readRecord() throws -> WARCRecord? {
        recordStart = offset
        // Blank lines between records are tolerated (some writers add extra ones).
        while true {
            guard try ensure(1) else { return nil }
            let byte = buffer[position]
            guard byte == 0x0d || byte == 0x0a else { break }
            position += 1
        }
        let start = offset
        recordStart = start
        guard let versionLine = try readLine(recordStart: start) else {
            throw WARCError(offset: start, message: "truncated record: the file ends inside its header")
        }
        guard versionLine.hasPrefix("WARC/") else {
            throw WARCError(offset: start, message: "corrupt record: expected a version line such as WARC/1.1, found \(quoted(versionLine))")
        }
        var headers: [(name: String, value: String)] = []
        var headerBytes = 0
        while true {
            let lineOffset = offset
            guard let line = try readLine(recordStart: start) else {
                throw WARCError(offset: start, message: "truncated record: the file ends inside its header")
            }
            headerBytes += line.utf8.count + 2
            if headerBytes > Self.maxHeaderBytes {
                throw WARCError(offset: start, message: "corrupt record: header longer than \(Self.maxHeaderBytes) bytes")
            }
            if line.isEmpty { break }
            if let first = line.utf8.first, first == 0x20 || first == 0x09, !headers.isEmpty {
                // A folded continuation line (allowed by WARC/1.0).
                headers[headers.count - 1].value += " " + line.trimmingASCIISpaces()
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw WARCError(offset: lineOffset, message: "corrupt record header (record at byte \(start)): expected \"Name: value\", found \(quoted(line))")
            }
            headers.append((String(line[..<colon]).trimmingASCIISpaces(),
                            String(line[line.index(after: colon)...]).trimmingASCIISpaces()))
        }
        guard let lengthText = headers.first(where: { asciiCaseInsensitiveEqual($0.name, "Content-Length") })?.value else {
            throw WARCError(offset: start, message: "corrupt record: no Content-Length")
        }
        guard let length = Int(lengthText), length >= 0 else {
            throw WARCError(offset: start, message: "corrupt record: Content-Length \(quoted(lengthText)) is not a number")
        }
        var block: [UInt8]?
        if length <= maxRecordBytes {
            guard try ensure(length) else {
                throw WARCError(offset: start, message: "truncated record: Content-Length is \(length) but the file ends \(buffer.count - position) bytes into the block")
            }
            block = Array(buffer[position ..< position + length])
            position += length
        } else {
            try discard(length, recordStart: start)
        }
        // The block is followed by CRLF CRLF (LF LF tolerated); the end of the file may come first.
        var separators = 0
        while separators < 4, try ensure(1), buffer[position] == 0x0d || buffer[position] == 0x0a {
            position += 1
            separators += 1
        }
        if separators == 0, try ensure(1) {
            throw WARCError(offset: start, message: "corrupt record: the \(length)-byte block is not followed by CRLF CRLF (wrong Content-Length?)")
        }
        records += 1
        return WARCRecord(version: versionLine, headers: headers, block: block, contentLength: length, offset: start)
    }

    /// Reads one line (without CRLF or LF) as UTF-8, or nil at the end of the file.
    private func readLine(recordStart: Int64) throws -> String? {
        var searchFrom = position
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: 0x0a) {
                var end = newline
                if end > position && buffer[end - 1] == 0x0d { end -= 1 }
                let line = String(decoding: buffer[position ..< end], as: UTF8.self)
                position = newline + 1
                return line
            }
            if buffer.count - position > Self.maxHeaderBytes {
                throw WARCError(offset: recordStart, message: "corrupt record: a header line longer than \(Self.maxHeaderBytes) bytes")
            }
            searchFrom = buffer.count
            let before = position
            guard try fill() else { return nil }
            searchFrom -= before - position // fill() may have moved the buffer
        }
    }

    /// Makes at least `count` unread bytes available; false if the file ends first.
    private func ensure(_ count: Int) throws -> Bool {
        while buffer.count - position < count {
            guard try fill() else { return false }
        }
        return true
    }

    /// Skips `count` bytes without keeping them.
    private func discard(_ count: Int, recordStart: Int64) throws {
        var left = count
        while left > 0 {
            if position == buffer.count {
                guard try fill() else {
                    throw WARCError(offset: recordStart, message: "truncated record: Content-Length is \(count) but the file ends \(count - left) bytes into the block")
                }
            }
            let take = min(left, buffer.count - position)
            position += take
            left -= take
        }
    }

    /// Appends the next chunk, first dropping consumed bytes; false at the end of the file.
    private func fill() throws -> Bool {
        if atEnd { return false }
        if position > 0 {
            buffer.removeSubrange(0 ..< position)
            bufferStart += Int64(position)
            position = 0
        }
        let chunk: [UInt8]
        do {
            chunk = try stream.read()
        } catch {
            let end = offset + Int64(buffer.count - position)
            throw WARCError(offset: recordStart, message: "\(error) (the data breaks off at byte \(end))")
        }
        if chunk.isEmpty {
            atEnd = true
            return false
        }
        buffer.append(contentsOf: chunk)
        return true
    }
}

extension WARCError {
    init(offset: Int64, message: String) {
        self.init(offset: offset, compressedOffset: nil, message: message)
    }
}

/// The status line and header fields of an HTTP response stored in a WARC block.
struct HTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    /// Index in the block where the body starts.
    var bodyStart: Int

    func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEqual($0.name, name) }?.value
    }

    /// Parses `HTTP/1.1 200 OK` and the header lines up to the blank line (CRLF or LF).
    static func parse(_ block: [UInt8]) -> HTTPResponse? {
        var lines: [String] = []
        var lineStart = 0
        var k = 0
        let limit = min(block.count, WARCReader.maxHeaderBytes)
        var bodyStart: Int?
        while k < limit {
            if block[k] == 0x0a {
                var end = k
                if end > lineStart && block[end - 1] == 0x0d { end -= 1 }
                if end == lineStart {
                    bodyStart = k + 1
                    break
                }
                lines.append(String(decoding: block[lineStart ..< end], as: UTF8.self))
                lineStart = k + 1
            }
            k += 1
        }
        // A response with headers but no blank line ends at the end of the block.
        if bodyStart == nil {
            guard block.count <= limit else { return nil }
            if lineStart < block.count {
                lines.append(String(decoding: block[lineStart...], as: UTF8.self).trimmingASCIISpaces())
            }
            bodyStart = block.count
        }
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/") else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[1].count == 3, let status = Int(parts[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let first = line.utf8.first, first == 0x20 || first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingASCIISpaces()
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue } // tolerate junk lines
            headers.append((String(line[..<colon]).trimmingASCIISpaces(),
                            String(line[line.index(after: colon)...]).trimmingASCIISpaces()))
        }
        return HTTPResponse(status: status, headers: headers, bodyStart: bodyStart!)
    }

    static func isHTML(mediaType contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map(String.init)?
            .trimmingASCIISpaces().lowercased() ?? ""
        return media == "text/html" || media == "application/xhtml+xml"
    }

    /// The charset parameter of a Content-Type value, unquoted; nil when absent or empty.
    static func charset(ofContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            guard let eq = parameter.firstIndex(of: "=") else { continue }
            let name = String(parameter[..<eq]).trimmingASCIISpaces()
            guard asciiCaseInsensitiveEqual(name, "charset") else { continue }
            var value = String(parameter[parameter.index(after: eq)...]).trimmingASCIISpaces()
            if value.count >= 2, value.hasPrefix("\"") || value.hasPrefix("'"),
               value.last == value.first {
                value = String(value.dropFirst().dropLast())
            }
            value = value.trimmingASCIISpaces()
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Undoes `Transfer-Encoding: chunked`. A body cut off inside a chunk (crawlers
    /// truncate large pages) keeps what arrived. Returns nil when the body does not
    /// start with a chunk-size line.
    static func dechunk(_ body: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var k = 0
        var chunks = 0
        while k < body.count {
            // chunk-size [; extensions] CRLF
            guard let newline = body[k...].firstIndex(of: 0x0a) else {
                if chunks == 0 { return nil }
                break
            }
            var size = 0
            var digits = 0
            var j = k
            while j < newline, let digit = hexValue(body[j]) {
                if size > (Int.max >> 4) { return chunks > 0 ? out : nil }
                size = size << 4 | digit
                digits += 1
                j += 1
            }
            // After the digits: nothing, or ";extension", spaces allowed before either.
            var r = j
            while r < newline, body[r] == 0x20 || body[r] == 0x09 { r += 1 }
            let sizeLineEnds = r == newline || (body[r] == 0x0d && r + 1 == newline) || body[r] == 0x3b
            guard digits > 0, sizeLineEnds else {
                // Not a chunk-size line: the archive stored the body already de-chunked.
                return chunks == 0 ? nil : out
            }
            k = newline + 1
            if size == 0 { return out } // the last chunk; trailers ignored
            let end = min(body.count, k + size)
            out.append(contentsOf: body[k ..< end])
            chunks += 1
            k = end
            // The CRLF after the chunk data.
            if k < body.count && body[k] == 0x0d { k += 1 }
            if k < body.count && body[k] == 0x0a { k += 1 }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30 ... 0x39: return Int(byte - 0x30)
        case 0x41 ... 0x46: return Int(byte - 0x41 + 10)
        case 0x61 ... 0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Whether a body with no declared type starts like an HTML document.
    static func looksLikeHTML(_ body: [UInt8]) -> Bool {
        var k = 0
        if body.count >= 3 && body[0] == 0xef && body[1] == 0xbb && body[2] == 0xbf { k = 3 }
        while k < body.count, body[k] == 0x20 || body[k] == 0x09 || body[k] == 0x0d || body[k] == 0x0a { k += 1 }
        let head = String(decoding: body[k ..< min(body.count, k + 64)], as: UTF8.self).lowercased()
        let openings = ["<!doctype html", "<html", "<head", "<body", "<title", "<meta", "<!--", "<div", "<p>", "<p "]
        return openings.contains { head.hasPrefix($0) }
    }
}

private func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c | 0x20 : c }
    return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
}

private func stripAngleBrackets(_ value: String) -> String {
    if value.hasPrefix("<") && value.hasSuffix(">") && value.count >= 2 {
        return String(value.dropFirst().dropLast())
    }
    return value
}

private func quoted(_ line: String) -> String {
    let cut = line.count > 80 ? String(line.prefix(80)) + "..." : line
    return "\"" + cut + "\""
}

private extension String {
    func trimmingASCIISpaces() -> String {
        let bytes = Array(utf8)
        var lo = 0, hi = bytes.count
        while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 || bytes[lo] == 0x0d { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 || bytes[hi - 1] == 0x0d { hi -= 1 }
        if lo == 0 && hi == bytes.count { return self }
        return String(decoding: bytes[lo ..< hi], as: UTF8.self)
    }
}
