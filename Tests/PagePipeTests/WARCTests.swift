import Foundation
import HTML
import Testing
@testable import PagePipe

/// A fresh folder under the temporary directory (removed by the OS, names never collide).
private func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "pagepipe-warc-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func readAllPages(_ path: String, maxRecordBytes: Int = 64 << 20,
                          maxDecompressedBytes: Int = 256 << 20) throws -> (pages: [WARCPage], reader: WARCReader) {
    let reader = try WARCReader(path: path, maxRecordBytes: maxRecordBytes, maxDecompressedBytes: maxDecompressedBytes)
    var pages: [WARCPage] = []
    while let page = try reader.nextPage() { pages.append(page) }
    return (pages, reader)
}

private let article = "<!DOCTYPE html><html><head><title>News</title></head><body><p>Hello, world.</p></body></html>"

/// warcinfo, request, an HTML response, an image, a 404, metadata, a Latin-1 page.
private func mixedCrawl() -> WARCWriter {
    var warc = WARCWriter()
    warc.addWarcinfo()
    warc.addRequest(uri: "https://example.com/news")
    warc.addResponse(uri: "https://example.com/news", body: article, recordID: "urn:uuid:11111111-aaaa-4bbb-8ccc-000000000001")
    warc.addResponse(uri: "https://example.com/logo.png", headers: [("Content-Type", "image/png")],
                     body: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    warc.addResponse(uri: "https://example.com/missing", status: 404, reason: "Not Found",
                     body: "<html><body>Not found</body></html>")
    warc.addRecord(type: "metadata", block: Array("fetchTimeMs: 120\r\n".utf8), targetURI: "https://example.com/news",
                   contentType: "application/warc-fields")
    warc.addResponse(uri: "https://example.de/gruesse",
                     headers: [("Server", "nginx"), ("Content-Type", "text/html; Charset=\"ISO-8859-1\"")],
                     body: [0x3c, 0x70, 0x3e, 0x47, 0x72, 0xfc, 0xdf, 0x65, 0x3c, 0x2f, 0x70, 0x3e], // <p>Grüße</p> in Latin-1
                     recordID: "urn:uuid:11111111-aaaa-4bbb-8ccc-000000000002")
    return warc
}

private func checkMixedCrawl(_ pages: [WARCPage], _ reader: WARCReader) {
    #expect(pages.count == 2)
    #expect(pages.first == WARCPage(recordID: "urn:uuid:11111111-aaaa-4bbb-8ccc-000000000001",
                                    targetURI: "https://example.com/news", date: "2024-03-01T12:00:00Z",
                                    charset: "utf-8", html: Array(article.utf8), status: 200))
    #expect(pages.last == WARCPage(recordID: "urn:uuid:11111111-aaaa-4bbb-8ccc-000000000002",
                                   targetURI: "https://example.de/gruesse", date: "2024-03-01T12:00:00Z",
                                   charset: "ISO-8859-1",
                                   html: [0x3c, 0x70, 0x3e, 0x47, 0x72, 0xfc, 0xdf, 0x65, 0x3c, 0x2f, 0x70, 0x3e],
                                   status: 200))
    #expect(reader.skipped == ["warcinfo": 1, "request": 1, "non-html": 1, "http-status": 1, "metadata": 1])
    #expect(reader.records == 7)
    #expect(reader.pages == 2)
}

@Suite struct WARCReaderTests {
    @Test func plainWARCYieldsHTMLResponsesAndCountsTheRest() throws {
        let path = try temporaryFolder() + "/crawl.warc"
        try mixedCrawl().write(to: path)
        let (pages, reader) = try readAllPages(path)
        checkMixedCrawl(pages, reader)
    }

    @Test func gzipWithOneMemberPerRecord() throws {
        let path = try temporaryFolder() + "/crawl.warc.gz"
        try mixedCrawl().write(to: path, compression: .perRecord)
        let (pages, reader) = try readAllPages(path)
        checkMixedCrawl(pages, reader)
    }

    @Test func gzipOfTheWholeFile() throws {
        let path = try temporaryFolder() + "/crawl.warc.gz"
        try mixedCrawl().write(to: path, compression: .wholeFile)
        let (pages, reader) = try readAllPages(path)
        checkMixedCrawl(pages, reader)
    }

    @Test func lfOnlyLineEndsAndWARC10() throws {
        var warc = WARCWriter()
        warc.version = "WARC/1.0"
        warc.lineEnding = "\n"
        warc.addWarcinfo()
        warc.addResponse(uri: "<https://example.com/a>", body: article, recordID: "urn:uuid:a")
        let path = try temporaryFolder() + "/lf.warc"
        try warc.write(to: path)
        let reader = try WARCReader(path: path)
        let info = try #require(try reader.nextRecord())
        #expect(info.version == "WARC/1.0")
        #expect(info.type == "warcinfo")
        #expect(info.header("content-type") == "application/warc-fields")
        let page = try #require(try reader.nextPage())
        #expect(page.targetURI == "https://example.com/a") // angle brackets of old writers dropped
        #expect(page.html == Array(article.utf8))
        #expect(try reader.nextPage() == nil)
    }

    @Test func chunkedTransferEncodingIsUndone() throws {
        var warc = WARCWriter()
        let body = Array(article.utf8)
        warc.addResponse(uri: "https://example.com/c",
                         headers: [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
                         body: WARCWriter.chunked(body, size: 7), recordID: "urn:uuid:c")
        let path = try temporaryFolder() + "/chunked.warc"
        try warc.write(to: path)
        let (pages, _) = try readAllPages(path)
        #expect(pages.map(\.html) == [body])
        #expect(pages.first?.charset == nil)
    }

    @Test func gzipContentEncodingIsInflatedAndChunkedFirst() throws {
        let body = Array((article + String(repeating: "<p>more text</p>", count: 200)).utf8)
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/gz",
                         headers: [("Content-Type", "text/html; charset=windows-1251"), ("Content-Encoding", "gzip")],
                         body: Gzip.compress(body), recordID: "urn:uuid:gz")
        warc.addResponse(uri: "https://example.com/gz-chunked",
                         headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                   ("Transfer-Encoding", "chunked")],
                         body: WARCWriter.chunked(Gzip.compress(body), size: 100), recordID: "urn:uuid:gzc")
        // Archives that store the decoded body but keep the header: taken as it is.
        warc.addResponse(uri: "https://example.com/already-decoded",
                         headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                         body: body, recordID: "urn:uuid:plain")
        // A body the crawler cut off (WARC-Truncated): what inflates is kept.
        let compressed = Gzip.compress(body)
        warc.addResponse(uri: "https://example.com/cut",
                         headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                         body: Array(compressed.prefix(compressed.count / 2)), recordID: "urn:uuid:cut")
        let path = try temporaryFolder() + "/gz.warc.gz"
        try warc.write(to: path, compression: .perRecord)
        let (pages, _) = try readAllPages(path)
        #expect(pages.map(\.recordID) == ["urn:uuid:gz", "urn:uuid:gzc", "urn:uuid:plain", "urn:uuid:cut"])
        #expect(pages.prefix(3).allSatisfy { $0.html == body })
        #expect(pages.first?.charset == "windows-1251")
        let cut = try #require(pages.last?.html)
        #expect(!cut.isEmpty && cut.count < body.count && Array(body.prefix(cut.count)) == cut)
    }

    @Test func gzipBodyOverTheCapIsSkipped() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/bomb",
                         headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                         body: Gzip.compress([UInt8](repeating: 0x20, count: 1 << 20)))
        warc.addResponse(uri: "https://example.com/ok", body: article, recordID: "urn:uuid:ok")
        let path = try temporaryFolder() + "/bomb.warc"
        try warc.write(to: path)
        let (pages, reader) = try readAllPages(path, maxDecompressedBytes: 64 * 1024)
        #expect(pages.map(\.recordID) == ["urn:uuid:ok"])
        #expect(reader.skipped == ["too-large": 1])
    }

    @Test func recordOverTheCapIsSkippedUnreadAndTheNextOneRead() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/big", body: "<html>" + String(repeating: "x", count: 100_000))
        warc.addResponse(uri: "https://example.com/small", body: article, recordID: "urn:uuid:small")
        let path = try temporaryFolder() + "/big.warc.gz"
        try warc.write(to: path, compression: .perRecord)
        let (pages, reader) = try readAllPages(path, maxRecordBytes: 10_000)
        #expect(pages.map(\.recordID) == ["urn:uuid:small"])
        #expect(reader.skipped == ["too-large": 1])
    }

    @Test func missingContentTypeIsSniffed() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/untyped", headers: [], body: "\n  <!doctype html><p>hi</p>", recordID: "urn:uuid:html")
        warc.addResponse(uri: "https://example.com/data", headers: [], body: "{\"json\": true}")
        let path = try temporaryFolder() + "/untyped.warc"
        try warc.write(to: path)
        let (pages, reader) = try readAllPages(path)
        #expect(pages.map(\.recordID) == ["urn:uuid:html"])
        #expect(pages.first?.charset == nil)
        #expect(reader.skipped == ["non-html": 1])
    }

    @Test func xhtmlAndOtherSuccessStatusesAreKept() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/x", headers: [("Content-Type", "application/xhtml+xml;charset=UTF-8")],
                         body: "<html xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></html>", recordID: "urn:uuid:x")
        warc.addResponse(uri: "https://example.com/partial", status: 206, reason: "Partial Content", body: article,
                         recordID: "urn:uuid:p")
        warc.addResponse(uri: "https://example.com/moved", status: 301, reason: "Moved", body: "<html>moved</html>")
        warc.addResponse(uri: "https://example.com/error", status: 500, reason: "Error", body: "<html>oops</html>")
        let path = try temporaryFolder() + "/status.warc"
        try warc.write(to: path)
        let (pages, reader) = try readAllPages(path)
        #expect(pages.map(\.recordID) == ["urn:uuid:x", "urn:uuid:p"])
        #expect(pages.map(\.status) == [200, 206])
        #expect(pages.first?.charset == "UTF-8")
        #expect(reader.skipped == ["http-status": 2])
    }

    @Test func truncatedLastRecordStopsWithItsOffsetAfterTheRecordsBeforeIt() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/1", body: article, recordID: "urn:uuid:1")
        warc.addResponse(uri: "https://example.com/2", body: article, recordID: "urn:uuid:2")
        let full = warc.bytes()
        let secondStart = warc.records[0].count
        let path = try temporaryFolder() + "/cut.warc"
        try Data(full.dropLast(40)).write(to: URL(fileURLWithPath: path))
        let reader = try WARCReader(path: path)
        #expect(try reader.nextPage()?.recordID == "urn:uuid:1")
        let error = try #require(throws: WARCError.self) { try reader.nextPage() }
        #expect(error.offset == Int64(secondStart))
        #expect(error.compressedOffset == nil)
        #expect(error.description.hasPrefix("WARC at byte \(secondStart): truncated record: Content-Length is"))
        // The reader stays failed rather than reading on from a wrong place.
        #expect(throws: WARCError.self) { try reader.nextRecord() }
    }

    @Test func truncatedGzipMemberNamesTheMemberOffset() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/1", body: article, recordID: "urn:uuid:1")
        warc.addResponse(uri: "https://example.com/2", body: article, recordID: "urn:uuid:2")
        let firstMember = Gzip.compress(warc.records[0])
        let secondMember = Gzip.compress(warc.records[1])
        let path = try temporaryFolder() + "/cut.warc.gz"
        try Data(firstMember + secondMember.prefix(secondMember.count / 2)).write(to: URL(fileURLWithPath: path))
        let reader = try WARCReader(path: path)
        #expect(try reader.nextPage()?.recordID == "urn:uuid:1")
        let error = try #require(throws: WARCError.self) { try reader.nextPage() }
        #expect(error.offset == Int64(warc.records[0].count))
        #expect(error.compressedOffset == Int64(firstMember.count))
        #expect(error.description.hasPrefix("WARC at byte \(warc.records[0].count) (gzip member at file byte \(firstMember.count)): truncated gzip data"))
    }

    @Test func garbageAfterARecordIsACorruptRecordWithItsOffset() throws {
        var warc = WARCWriter()
        warc.addResponse(uri: "https://example.com/1", body: article, recordID: "urn:uuid:1")
        let goodLength = warc.records[0].count
        warc.addRaw(Array("HTTP/1.1 200 OK\r\nnot a warc record\r\n\r\n".utf8))
        let path = try temporaryFolder() + "/garbage.warc"
        try warc.write(to: path)
        let reader = try WARCReader(path: path)
        #expect(try reader.nextPage()?.recordID == "urn:uuid:1")
        let error = try #require(throws: WARCError.self) { try reader.nextPage() }
        #expect(error.offset == Int64(goodLength))
        #expect(error.message == "corrupt record: expected a version line such as WARC/1.1, found \"HTTP/1.1 200 OK\"")
    }

    @Test func wrongContentLengthIsCaughtAtTheMissingSeparator() throws {
        var warc = WARCWriter()
        let block = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>".utf8)
        let head = "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:w>\r\nContent-Length: \(block.count - 3)\r\n\r\n"
        warc.addRaw(Array(head.utf8) + block + Array("\r\n\r\n".utf8))
        let path = try temporaryFolder() + "/short.warc"
        try warc.write(to: path)
        let reader = try WARCReader(path: path)
        let error = try #require(throws: WARCError.self) { try reader.nextRecord() }
        #expect(error.offset == 0)
        #expect(error.message.contains("not followed by CRLF CRLF"))
    }

    @Test func recordsSpanningReadChunksStreamThrough() throws {
        // More data than several 256 KiB read chunks, record borders falling anywhere.
        var warc = WARCWriter()
        var expected: [[UInt8]] = []
        for k in 0 ..< 60 {
            let body = Array(("<html><body>" + String(repeating: "page \(k) ", count: 1000 + k * 97) + "</body></html>").utf8)
            expected.append(body)
            warc.addResponse(uri: "https://example.com/\(k)", body: body, recordID: "urn:uuid:\(k)")
        }
        let folder = try temporaryFolder()
        for (name, compression) in [("p.warc", WARCWriter.Compression.none), ("r.warc.gz", .perRecord), ("w.warc.gz", .wholeFile)] {
            try warc.write(to: folder + "/" + name, compression: compression)
            let (pages, reader) = try readAllPages(folder + "/" + name)
            #expect(pages.map(\.html) == expected, "\(name)")
            #expect(pages.map(\.recordID) == (0 ..< 60).map { "urn:uuid:\($0)" }, "\(name)")
            #expect(reader.skipped.isEmpty)
        }
        #expect(warc.bytes().count > 4 * GzipStream.chunkSize)
    }

    @Test func damagedFilesEndInPagesOrAWARCErrorNeverACrash() throws {
        // Deterministic mutations of a small crawl, plain and gzip: flipped bytes,
        // cuts and duplicated slices. Whatever the damage, the reader returns
        // pages and then ends or throws a WARCError.
        var warc = mixedCrawl()
        warc.addResponse(uri: "https://example.com/chunked", headers: [("Content-Type", "text/html"),
                         ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")],
                         body: WARCWriter.chunked(Gzip.compress(Array(article.utf8)), size: 9))
        let folder = try temporaryFolder()
        var rng = SplitMix64(seed: 7)
        for compression in [WARCWriter.Compression.none, .perRecord] {
            let original = warc.bytes(compression: compression)
            for trial in 0 ..< 150 {
                var bytes = original
                for _ in 0 ..< 1 + Int(rng.next() % 4) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.removeSubrange(at...)
                    default: bytes.insert(contentsOf: bytes[at ..< min(bytes.count, at + 40)], at: at)
                    }
                    if bytes.isEmpty { break }
                }
                let path = folder + "/m\(trial).warc" + (compression == .none ? "" : ".gz")
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let reader = try WARCReader(path: path)
                var pages = 0
                do {
                    while try reader.nextPage() != nil { pages += 1 }
                } catch is WARCError {
                    // A reported stop: fine.
                }
                #expect(pages <= 4, "trial \(trial): more pages than the file holds")
            }
        }
    }

    @Test func emptyFileHasNoRecords() throws {
        let path = try temporaryFolder() + "/empty.warc"
        try Data().write(to: URL(fileURLWithPath: path))
        let reader = try WARCReader(path: path)
        #expect(try reader.nextRecord() == nil)
    }

    @Test func missingFileIsAnError() {
        #expect(throws: WARCError.self) { try WARCReader(path: "/nonexistent/pagepipe/x.warc.gz") }
    }

    @Test func pageBecomesADocumentWithFileAndRecordID() {
        let page = WARCPage(recordID: "urn:uuid:123", targetURI: "https://example.com/", date: "2024-03-01T12:00:00Z",
                            charset: "iso-8859-1", html: Array("<p>x</p>".utf8), status: 200)
        #expect(page.documentID(file: "crawl/CC-MAIN-x.warc.gz") == "crawl/CC-MAIN-x.warc.gz#urn:uuid:123")
        let document = page.document(file: "crawl/CC-MAIN-x.warc.gz", sourcePath: "/data/crawl/CC-MAIN-x.warc.gz")
        #expect(document.id == "crawl/CC-MAIN-x.warc.gz#urn:uuid:123")
        #expect(document.sourcePath == "/data/crawl/CC-MAIN-x.warc.gz")
        #expect(document.url == "https://example.com/")
        #expect(document.charsetHint == "iso-8859-1")
        #expect(document.html == Array("<p>x</p>".utf8))
    }

    @Test func warcFileNames() {
        #expect(WARCReader.isWARCFile("CC-MAIN-2024.warc.gz"))
        #expect(WARCReader.isWARCFile("a.WARC"))
        #expect(!WARCReader.isWARCFile("a.warc.gz.html"))
        #expect(!WARCReader.isWARCFile("index.html.gz"))
    }
}

/// A small deterministic generator (SplitMix64), so the damaged files are the same every run.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct GzipStreamTests {
    @Test func plainFilesPassThroughAndMembersAreCounted() throws {
        let folder = try temporaryFolder()
        let data = (0 ..< 300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(data).write(to: URL(fileURLWithPath: folder + "/plain"))
        try Data(Gzip.compress(Array(data[..<1000])) + Gzip.compress(Array(data[1000...])))
            .write(to: URL(fileURLWithPath: folder + "/two.gz"))
        for name in ["plain", "two.gz"] {
            let stream = try GzipStream(path: folder + "/" + name)
            var all: [UInt8] = []
            while case let chunk = try stream.read(), !chunk.isEmpty {
                #expect(chunk.count <= GzipStream.chunkSize)
                all += chunk
            }
            #expect(all == data, "\(name)")
            #expect(stream.isCompressed == (name == "two.gz"))
            #expect(stream.members == (name == "two.gz" ? 2 : 0))
        }
    }

    @Test func memberCapStopsAGzipBomb() throws {
        let path = try temporaryFolder() + "/bomb.gz"
        try Data(Gzip.compress([UInt8](repeating: 0, count: 2 << 20))).write(to: URL(fileURLWithPath: path))
        let stream = try GzipStream(path: path, maxMemberBytes: 1 << 20)
        #expect(throws: GzipError.tooLarge(limit: 1 << 20)) {
            while try !stream.read().isEmpty {}
        }
    }

    @Test func trailingGarbageIsAnError() throws {
        let path = try temporaryFolder() + "/junk.gz"
        try Data(Gzip.compress(Array("hello".utf8)) + Array("junk".utf8)).write(to: URL(fileURLWithPath: path))
        let stream = try GzipStream(path: path)
        #expect(try stream.read() == Array("hello".utf8))
        #expect(throws: GzipError.corrupt("incorrect header check")) { try stream.read() }
        #expect(stream.memberStart > 0)
    }
}

@Suite struct HTTPPayloadTests {
    @Test(arguments: [
        ("text/html; charset=utf-8", "utf-8"),
        ("text/html;charset=\"Shift_JIS\"", "Shift_JIS"),
        ("text/html; CHARSET = 'koi8-r' ; q=1", "koi8-r"),
        ("text/html; charset=", nil),
        ("text/html", nil),
        ("text/html; format=flowed", nil),
    ] as [(String, String?)])
    func charsetFromContentType(_ contentType: String, _ charset: String?) {
        #expect(HTTPResponse.charset(ofContentType: contentType) == charset)
    }

    @Test func dechunkKeepsATruncatedLastChunkAndIgnoresExtensions() {
        let body = Array("5;ext=1\r\nhello\r\n6 \r\n world\r\n10\r\ncut off".utf8)
        #expect(HTTPResponse.dechunk(body) == Array("hello worldcut off".utf8))
        #expect(HTTPResponse.dechunk(Array("<html>not chunked</html>".utf8)) == nil)
        #expect(HTTPResponse.dechunk(Array("0\r\n\r\n".utf8)) == [])
    }

    @Test func httpHeadersWithLFOnlyAndNoBody() throws {
        let response = try #require(HTTPResponse.parse(Array("HTTP/1.0 204 No Content\nServer: x\n".utf8)))
        #expect(response.status == 204)
        #expect(response.header("server") == "x")
        #expect(HTTPResponse.parse(Array("GET / HTTP/1.1\r\n\r\n".utf8)) == nil)
        #expect(HTTPResponse.parse(Array("HTTP/1.1 abc OK\r\n\r\n".utf8)) == nil)
    }
}
