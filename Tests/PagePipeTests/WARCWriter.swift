import Foundation
import HTML

/// Writes WARC files for tests: records in order, plain or gzip (one member per
/// record, as Common Crawl does, or the whole file as one member).
///
///     var warc = WARCWriter()
///     warc.addWarcinfo()
///     warc.addResponse(uri: "https://example.com/", body: "<html>...</html>")
///     try warc.write(to: dir + "/crawl.warc.gz", compression: .perRecord)
struct WARCWriter {
    enum Compression { case none, perRecord, wholeFile }

    /// Each record's bytes, including the CRLF CRLF after its block.
    private(set) var records: [[UInt8]] = []
    var version = "WARC/1.1"
    /// "\r\n" as the standard says; "\n" to test tolerance of LF-only files.
    var lineEnding = "\r\n"
    private var counter = 0

    /// A record with the given type and block; returns its WARC-Record-ID (without `<>`).
    @discardableResult
    mutating func addRecord(type: String, block: [UInt8], recordID: String? = nil, targetURI: String? = nil,
                            date: String = "2024-03-01T12:00:00Z", contentType: String? = nil,
                            extraHeaders: [(String, String)] = []) -> String {
        counter += 1
        let id = recordID ?? String(format: "urn:uuid:00000000-0000-4000-8000-%012d", counter)
        var fields: [(String, String)] = [("WARC-Type", type), ("WARC-Record-ID", "<\(id)>"), ("WARC-Date", date)]
        if let targetURI { fields.append(("WARC-Target-URI", targetURI)) }
        if let contentType { fields.append(("Content-Type", contentType)) }
        fields += extraHeaders
        fields.append(("Content-Length", String(block.count)))
        var head = version + lineEnding
        for (name, value) in fields { head += "\(name): \(value)" + lineEnding }
        head += lineEnding
        records.append(Array(head.utf8) + block + Array((lineEnding + lineEnding).utf8))
        return id
    }

    @discardableResult
    mutating func addWarcinfo() -> String {
        addRecord(type: "warcinfo", block: Array("software: pagepipe-tests\r\nformat: WARC File Format 1.1\r\n".utf8),
                  contentType: "application/warc-fields")
    }

    @discardableResult
    mutating func addRequest(uri: String) -> String {
        addRecord(type: "request", block: Array("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8), targetURI: uri,
                  contentType: "application/http; msgtype=request")
    }

    /// A response record holding an HTTP response with `headers` (Content-Length
    /// added unless given) and the raw `body` bytes as they went over the wire.
    @discardableResult
    mutating func addResponse(uri: String, status: Int = 200, reason: String = "OK",
                              headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")],
                              body: [UInt8], recordID: String? = nil, date: String = "2024-03-01T12:00:00Z") -> String {
        var http = "HTTP/1.1 \(status) \(reason)\r\n"
        var fields = headers
        let chunked = headers.contains { $0.0.lowercased() == "transfer-encoding" }
        if !chunked && !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            fields.append(("Content-Length", String(body.count)))
        }
        for (name, value) in fields { http += "\(name): \(value)\r\n" }
        http += "\r\n"
        return addRecord(type: "response", block: Array(http.utf8) + body, recordID: recordID, targetURI: uri,
                         date: date, contentType: "application/http; msgtype=response")
    }

    @discardableResult
    mutating func addResponse(uri: String, status: Int = 200, reason: String = "OK",
                              headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")],
                              body: String, recordID: String? = nil) -> String {
        addResponse(uri: uri, status: status, reason: reason, headers: headers, body: Array(body.utf8), recordID: recordID)
    }

    /// Appends raw bytes (a broken record, for error tests).
    mutating func addRaw(_ bytes: [UInt8]) {
        records.append(bytes)
    }

    func bytes(compression: Compression = .none) -> [UInt8] {
        switch compression {
        case .none: return records.flatMap { $0 }
        case .perRecord: return records.flatMap { Gzip.compress($0) }
        case .wholeFile: return Gzip.compress(records.flatMap { $0 })
        }
    }

    func write(to path: String, compression: Compression = .none) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes(compression: compression)).write(to: URL(fileURLWithPath: path))
    }

    /// `body` in HTTP chunked transfer coding, `size` bytes a chunk.
    static func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
        var out: [UInt8] = []
        var k = 0
        while k < body.count {
            let end = min(body.count, k + size)
            out += Array((String(end - k, radix: 16) + "\r\n").utf8) + body[k ..< end] + Array("\r\n".utf8)
            k = end
        }
        return out + Array("0\r\n\r\n".utf8)
    }
}
