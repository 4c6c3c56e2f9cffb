import HTML
import XCTest
@testable import PagePipe

final class ParseHTMLTests: XCTestCase {
    let stage = try! ParseHTML(json: [:])

    func parse(_ bytes: [UInt8], hint: String? = nil) throws -> Document {
        var doc = Document(id: "t")
        doc.html = bytes
        doc.charsetHint = hint
        XCTAssertEqual(try stage.process(&doc), .keep)
        return doc
    }

    func text(_ html: String) throws -> String { try parse(Array(html.utf8)).text ?? "" }

    func testVisibleTextOnly() throws {
        XCTAssertEqual(try text("""
            <html><head><title>T</title><style>p{color:red}</style><script>var x = "</div>";</script></head>
            <body><template><p>tpl</p></template><noscript>Enable JS</noscript>
            <p>One <b>bold</b>   word.</p><script>alert(1)</script><p hidden>secret</p>
            <div style="display: none">gone</div><div>Two<br>lines</div></body></html>
            """), "One bold word.\nTwo\nlines")
    }

    func testBlocksListsAndTables() throws {
        XCTAssertEqual(try text("""
            <h1>Head</h1><ul><li>a</li><li>b <i>c</i></li></ul>
            <table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table><p>end</p>
            """), "Head\na\nb c\nk | v\n1 | 2\nend")
    }

    func testPreformattedTextKeepsItsLines() throws {
        XCTAssertEqual(try text("<p>x</p><pre>a  b\n  c</pre>"), "x\na  b\n  c")
    }

    func testNonBreakingSpacesAreKeptForTheNormalizer() throws {
        XCTAssertEqual(try text("<p>to&nbsp;Moscow</p>"), "to\u{A0}Moscow")
    }

    func testEntitiesAndCommentsSplitText() throws {
        XCTAssertEqual(try text("<p>Fish &amp; chips<!-- c -->, &eacute;t&eacute;</p>"), "Fish & chips, été")
    }

    func testDeclaredCharsetIsUsedWhenBytesAreNotUTF8() throws {
        // "Привет" in windows-1251.
        let bytes = Array(#"<meta charset="windows-1251"><p>"#.utf8) + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2] + Array("</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "Привет")
    }

    func testUndeclaredLegacyBytesAreWindows1252() throws {
        let bytes = Array("<p>caf".utf8) + [0xE9, 0x20, 0x93, 0x71, 0x94] + Array("</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "café “q”")
    }

    func testValidUTF8WinsOverAWrongDeclaration() throws {
        XCTAssertEqual(try text(#"<meta charset="iso-8859-1"><p>naïve — ok</p>"#), "naïve — ok")
    }

    func testLatin1LabelMeansWindows1252() throws {
        let bytes = Array(#"<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>"#.utf8)
            + [0x84, 0x61, 0x93] + Array("</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "„a“")
    }

    func testHTTPHintBeatsThePageDeclaration() throws {
        let bytes = Array(#"<meta charset="windows-1252"><p>"#.utf8) + [0xCF, 0xF0, 0xE8] + Array("</p>".utf8)
        XCTAssertEqual(try parse(bytes, hint: "windows-1251").text, "При")
    }

    func testByteOrderMarks() throws {
        XCTAssertEqual(try parse([0xEF, 0xBB, 0xBF] + Array("<p>bom</p>".utf8)).text, "bom")
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<p>wide é</p>".utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        XCTAssertEqual(try parse(utf16).text, "wide é")
    }

    func testOneInvalidByteDoesNotTurnAValidPageIntoMojibake() throws {
        // Mostly UTF-8 with one stray byte: decoded as windows-1252 as a whole, never cut off.
        let bytes = Array("<p>a</p><p>".utf8) + [0xFF] + Array("</p><p>end</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "a\nÿ\nend")
    }

    func testDeepNestingKeepsText() throws {
        let html = String(repeating: "<div>", count: 20_000) + "deep text" + String(repeating: "</div>", count: 20_000)
        XCTAssertEqual(try text(html), "deep text")
    }

    func testGzipPages() throws {
        let dir = try makeTemporaryDirectory(self)
        let gz = try gzip("<p>zipped</p>", dir: dir)
        var doc = Document(id: "z")
        doc.sourcePath = gz
        XCTAssertEqual(try stage.process(&doc), .keep)
        XCTAssertEqual(doc.text, "zipped")
    }

    func testBadInputFailsWithAReason() throws {
        func failure(_ bytes: [UInt8]) -> String {
            var doc = Document(id: "x")
            doc.html = bytes
            do { _ = try stage.process(&doc); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(failure([]), "the page is empty (0 bytes)")
        XCTAssertEqual(failure([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]), "not HTML: binary data (NUL bytes)")
        XCTAssertEqual(failure([0x1F, 0x8B, 0x08, 0x00, 0x00]), "truncated gzip data")
        XCTAssertEqual(failure([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF]),
                       "corrupt gzip data (invalid block type)")
    }

    func testGzipBombIsCappedByOption() throws {
        let dir = try makeTemporaryDirectory(self)
        let gz = try gzip(String(repeating: "<p>aaaa</p>", count: 100_000), dir: dir)
        let small = try ParseHTML(json: ["maxDecompressedBytes": .int(100_000)])
        var doc = Document(id: "bomb")
        doc.sourcePath = gz
        XCTAssertThrowsError(try small.process(&doc)) { error in
            XCTAssertEqual("\(error)", "decompressed size exceeds the limit of 100000 bytes")
        }
    }

    func testOversizedFileIsRefusedBeforeReading() throws {
        let dir = try makeTemporaryDirectory(self)
        try writeFile(dir + "/big.html", String(repeating: "x", count: 5000))
        let small = try ParseHTML(json: ["maxFileBytes": .int(1000)])
        var doc = Document(id: "big")
        doc.sourcePath = dir + "/big.html"
        XCTAssertThrowsError(try small.process(&doc)) { error in
            XCTAssertEqual("\(error)", "file is 5000 bytes, over the limit of 1000 (maxFileBytes)")
        }
    }

    func testMissingFile() {
        var doc = Document(id: "gone")
        doc.sourcePath = "/nonexistent/page.html"
        XCTAssertThrowsError(try stage.process(&doc)) { error in
            XCTAssertEqual("\(error)", "cannot open: No such file or directory")
        }
    }

    func testMoscowTimesSampleHasTheStoryAndNoScriptOrStyle() throws {
        var doc = Document(id: "mt")
        doc.sourcePath = repoRoot + "/samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"
        _ = try stage.process(&doc)
        let text = try XCTUnwrap(doc.text)
        XCTAssertTrue(text.contains("Moscow Rejects Washington Pressure to Seek Assad's Exit, Report Says"))
        XCTAssertTrue(text.contains("Foreign Ministry officials and\u{A0}U.S. officials in\u{A0}Moscow were not available"))
        XCTAssertFalse(text.contains("dataLayer"))
        XCTAssertFalse(text.contains("background:"))
        XCTAssertFalse(text.contains("@context"))
        XCTAssertEqual(text.filter { $0 == "\u{A0}" }.count, 75 + 2) // the story's 75, and 2 in the banner
    }

    func testTreeKeepsJSONLDAndAttributes() throws {
        let doc = try parse(Array(#"<html><head><script type="application/ld+json">{"a":1}</script><link rel="canonical" href="/x"></head><body><p class="lead" onclick="x()">t</p></body></html>"#.utf8))
        let tree = try XCTUnwrap(doc.tree)
        let script = try XCTUnwrap(tree.first(.script))
        XCTAssertEqual(tree.rawText(under: script), #"{"a":1}"#)
        let link = try XCTUnwrap(tree.first(.link))
        XCTAssertEqual(tree.attribute("href", of: link), "/x")
        let p = try XCTUnwrap(tree.first(.p))
        XCTAssertEqual(tree.attribute("class", of: p), "lead")
        XCTAssertNil(tree.attribute("onclick", of: p))
    }

    private func gzip(_ text: String, dir: String) throws -> String {
        let path = dir + "/page.html"
        try writeFile(path, text)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-n", path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return path + ".gz"
    }
}

final class CharsetTests: XCTestCase {
    func detect(_ bytes: [UInt8], hint: String? = nil) -> Charset.Decision {
        bytes.withUnsafeBytes { Charset.detect($0, hint: hint) }
    }

    func testOrderOfEvidence() {
        XCTAssertEqual(detect([0xEF, 0xBB, 0xBF, 0x41]), .init(encoding: "UTF-8", source: .bom, skip: 3))
        XCTAssertEqual(detect(Array("plain ascii".utf8)), .init(encoding: "UTF-8", source: .utf8Valid, skip: 0))
        XCTAssertEqual(detect(Array("<meta charset='KOI8-R'>".utf8) + [0xC1]), .init(encoding: "koi8-r", source: .declared, skip: 0))
        XCTAssertEqual(detect([0xC1], hint: "windows-1251"), .init(encoding: "windows-1251", source: .hint, skip: 0))
        XCTAssertEqual(detect(Array("<meta charset=utf-8>".utf8) + [0xE9]), .init(encoding: "windows-1252", source: .fallback, skip: 0))
        XCTAssertEqual(detect(Array("<meta charset=\"no-such-charset\">".utf8) + [0xE9]), .init(encoding: "windows-1252", source: .fallback, skip: 0))
    }

    func testStrictUTF8Validation() {
        func valid(_ b: [UInt8]) -> Bool { b.withUnsafeBufferPointer { Charset.isValidUTF8($0) } }
        XCTAssertTrue(valid(Array("héllo wörld, 😀 and more ascii text".utf8)))
        XCTAssertFalse(valid([0xC0, 0xAF]))            // overlong
        XCTAssertFalse(valid([0xED, 0xA0, 0x80]))      // surrogate
        XCTAssertFalse(valid([0xF4, 0x90, 0x80, 0x80])) // past U+10FFFF
        XCTAssertFalse(valid([0x41, 0xE2, 0x82]))      // truncated
    }
}
