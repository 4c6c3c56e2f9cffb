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
        XCTAssertEqual(failure([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]), "not HTML: ELF data")
        XCTAssertEqual(failure([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x01, 0x00]), "not HTML: binary data (NUL bytes)")
        XCTAssertEqual(failure(Array("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>".utf8)), "not HTML: PDF data")
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

    // MARK: every word a browser shows (issue 11)

    func testInvalidUTF8CostsACharacterNotThePage() throws {
        // Labelled UTF-8, one stray Latin-1 byte: before, the page was read as
        // windows-1252 and cut at the first 0x9D (inside "”") or 0x81 ("с").
        let bytes = Array(#"<meta charset="utf-8"><p>Он сказал: “да”.</p><p>caf"#.utf8) + [0xE9]
            + Array("</p><p>Конец страницы.</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "Он сказал: “да”.\ncaf\u{FFFD}\nКонец страницы.")
        // A character cut off at the end of the page, and a BOM page with a bad byte.
        XCTAssertEqual(try parse(Array("<meta charset=utf-8><p>ok “q”</p><p>end".utf8) + [0xE2, 0x80]).text, "ok “q”\nend\u{FFFD}")
        XCTAssertEqual(try parse([0xEF, 0xBB, 0xBF] + Array("<p>a</p><p>".utf8) + [0xC3, 0x28] + Array("b</p>".utf8)).text,
                       "a\n\u{FFFD}(b")
    }

    func testMostlyUTF8PagesWithoutALabelAreUTF8() throws {
        let good = String(repeating: "<p>Grüße aus Köln.</p>", count: 4)
        let bytes = Array(good.utf8) + Array("<p>Eifel ".utf8) + [0x96] + Array(" gegossen</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, String(repeating: "Grüße aus Köln.\n", count: 4) + "Eifel \u{FFFD} gegossen")
    }

    func testLegacyTextIsNotMistakenForUTF8() throws {
        // "Вёрстка и ёлка" in windows-1251: "Вё" (C2 B8) happens to be a valid UTF-8 pair.
        let text: [UInt8] = [0xC2, 0xB8, 0xF0, 0xF1, 0xF2, 0xEA, 0xE0, 0x20, 0xE8, 0x20, 0xB8, 0xEB, 0xEA, 0xE0]
        let bytes = Array(#"<meta charset="windows-1251"><p>"#.utf8) + text + Array("</p>".utf8)
        XCTAssertEqual(try parse(bytes).text, "Вёрстка и ёлка")
    }

    func testLegacyDecodingGoesOnPastBytesItCannotRead() throws {
        // windows-1252's five unassigned bytes are C1 controls (WHATWG), not the end of the page.
        let cp1252 = Array(#"<meta charset="windows-1252"><p>caf"#.utf8) + [0xE9, 0x81, 0x20, 0x9D]
            + Array(" and the rest</p>".utf8)
        XCTAssertEqual(try parse(cp1252).text, "café\u{81} \u{9D} and the rest")
        // Shift_JIS with a broken double-byte character: one U+FFFD, then the rest.
        let sjis = Array(#"<meta charset="Shift_JIS"><p>"#.utf8) + [0x93, 0xFA, 0x96, 0x7B, 0x81, 0x20]
            + Array("rest</p>".utf8)
        XCTAssertEqual(try parse(sjis).text, "日本\u{FFFD} rest")
        // UTF-16 with an unpaired surrogate.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<p>a".utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        utf16 += [0x00, 0xD8]
        for u in "b</p>".utf16 { utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        XCTAssertEqual(try parse(utf16).text, "a\u{FFFD}b")
    }

    func testNoscriptIsRawTextAsWithScriptingOn() throws {
        // libxml2 (like HTML5 with scripting off) nested the page inside the
        // noscript, and hiding noscript hid the page.
        XCTAssertEqual(try text(#"<noscript><div id="nojs"></noscript><div><p>the page</p></div>"#), "the page")
        XCTAssertEqual(try text("<head><noscript><style>.x{}</noscript></head><body><p>body</p></body>"), "body")
        XCTAssertEqual(try text("<p>a <noscript><p>enable js</noscript>b</p><p>c</p>"), "a b\nc")
        // Raw text ends at the first </noscript>; markup inside is no tag.
        XCTAssertEqual(try text(#"<noscript><iframe src="x"></noscript><p>after</p>"#), "after")
        XCTAssertEqual(try text("<noscript><noscript></noscript>x</noscript><p>y</p>"), "x\ny")
        // The tree keeps the noscript element, its content as text.
        let tree = try XCTUnwrap(try parse(Array("<noscript><div></noscript><p>p</p>".utf8)).tree)
        XCTAssertEqual(tree.rawText(under: try XCTUnwrap(tree.first(.noscript))), "<div>")
    }

    func testRawTextAndRCDATAElementsEndAtTheirEndTag() throws {
        XCTAssertEqual(try text("<title>T <div>x</title><p>body</p>"), "body")
        XCTAssertEqual(try text("<noframes><div></noframes><p>after</p>"), "after")
        XCTAssertEqual(try text("<noembed><div></noembed><p>after</p>"), "after")
        XCTAssertEqual(try text("<p><textarea><div>typed</textarea></p><p>after</p>"), "<div>typed\nafter")
    }

    func testTemplateEndTagClosesWhatIsOpenInside() throws {
        XCTAssertEqual(try text("<template><div></template><p>after</p>"), "after")
        XCTAssertEqual(try text("<template><template><div></template></template><p>after</p>"), "after")
    }

    func testAbruptCommentsAreEmptyComments() throws {
        XCTAssertEqual(try text("<p>a <!--> b</p><p>c</p>"), "a b\nc")
        XCTAssertEqual(try text("<p>a <!---> b</p><p>c</p>"), "a b\nc")
        XCTAssertEqual(try text("<p>a <!--> b --> c</p>"), "a b --> c")
        XCTAssertEqual(try text("<p>a<!--> b<!--> c<!--->d</p>"), "a b cd")
        // Not abrupt: a comment that holds "<!-->" ends at its "-->", as in HTML5.
        XCTAssertEqual(try text("<p>a <!-- x <!--> b</p>"), "a b")
        XCTAssertEqual(try text(#"<script>var s = "<!-->";</script><p>after</p>"#), "after")
    }

    func testEndTagsCloseWhatIsOpenInsideAsInHTML5() throws {
        // libxml2 ignores </ul>, </nav>, </a> ... past an unclosed <div>, and the
        // hidden menu swallowed the story.
        XCTAssertEqual(try text("<ul hidden><li><div>menu</ul><p>story</p>"), "story")
        XCTAssertEqual(try text(#"<nav style="display:none"><div>menu</nav><article><p>story</p></article>"#), "story")
        XCTAssertEqual(try text("<ul><li hidden><div>x</li><li>second</li></ul>"), "second")
        XCTAssertEqual(try text("<a hidden href=x><div>card</a><p>after</p>"), "after")
        XCTAssertEqual(try text("<h2 hidden><span><div>t</h2><p>after</p>"), "after")
        // Out of scope (a table cell between), HTML5 ignores the end tag too.
        XCTAssertEqual(try text("<ul hidden><li><table><tr><td><div>x</ul>y</td></tr></table></li></ul><p>z</p>"), "z")
        // The tree is HTML5's: the story is no longer inside the menu.
        let tree = try XCTUnwrap(try parse(Array("<ul class=menu><li><div>menu</ul><p>story</p>".utf8)).tree)
        let p = try XCTUnwrap(tree.first(.p))
        XCTAssertEqual(tree.nodes[Int(tree.nodes[p].parent)].tag, .body)
    }

    func testStrayBrAndPEndTagsBreakTheLineAsInHTML5() throws {
        // libxml2 dropped them and glued "one" and "two" into one word.
        XCTAssertEqual(try text("<p>one</br>two</p>"), "one\ntwo")
        XCTAssertEqual(try text("<div>one</p>two</div>"), "one\ntwo")
        XCTAssertEqual(try text("<p>one</p></p><p>two</p>"), "one\ntwo")
    }

    func testRubyReadingsAreLeftOutByDefault() throws {
        let html = "<p><ruby>災害<rt>さいがい</rt></ruby>に<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rtc>x</rtc></ruby>を</p>"
        XCTAssertEqual(try text(html), "災害に漢字を")
        let keep = try ParseHTML(json: ["rubyReadings": .bool(true)])
        var doc = Document(id: "r")
        doc.html = Array(html.utf8)
        _ = try keep.process(&doc)
        XCTAssertEqual(doc.text, "災害さいがいに漢(かん)字xを")
    }

    func testStrayNULBytesCostNothing() throws {
        // libxml2 took a NUL outside text for the end of the page.
        XCTAssertEqual(try parse(Array("<html><head>".utf8) + [0] + Array("<title>t</title></head><body><p>body</p></body>".utf8)).text, "body")
        XCTAssertEqual(try parse(Array("<p>a".utf8) + [0] + Array("b</p>".utf8)).text, "ab")
    }

    /// The fixtures in Fixtures/parse-html, one page per class of text loss.
    func testFixturePagesKeepTheirText() throws {
        let dir = repoRoot + "/Tests/PagePipeTests/Fixtures/parse-html/"
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "cases.json"))))
        guard case .array(let cases)? = json["cases"] else { return XCTFail("no cases") }
        XCTAssertGreaterThanOrEqual(cases.count, 12)
        for c in cases {
            let file = try XCTUnwrap(c["file"]?.stringValue)
            var given: [String: JSONValue] = [:]
            if case .object(let o)? = c["options"] { for (k, v) in o { given[k] = v } }
            let stage = try ParseHTML(json: given)
            var doc = Document(id: file)
            doc.sourcePath = dir + file
            XCTAssertEqual(try stage.process(&doc), .keep, file)
            let text = doc.text ?? ""
            func strings(_ key: String) -> [String] {
                if case .array(let a)? = c[key] { return a.compactMap(\.stringValue) }
                return []
            }
            for s in strings("with") { XCTAssertTrue(text.contains(s), "\(file) lost: \(s)\n--- text:\n\(text)") }
            for s in strings("without") { XCTAssertFalse(text.contains(s), "\(file) shows: \(s)") }
        }
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

    func testMostlyUTF8NeedsMoreEvidenceWithoutAUTF8Label() {
        let twoGood = Array("“ok”".utf8)
        // Labelled UTF-8: as many good sequences as bad ones is enough.
        XCTAssertEqual(detect(Array("<meta charset=utf-8>".utf8) + twoGood + [0xE9, 0x20, 0xE9]),
                       .init(encoding: "UTF-8", source: .utf8Mostly, skip: 0))
        // Unlabelled: four to one.
        XCTAssertEqual(detect(twoGood + [0xE9]).source, .fallback)
        XCTAssertEqual(detect(twoGood + twoGood + [0xE9]).source, .utf8Mostly)
        // The outside hint's label counts first; a legacy label is still used when the bytes disagree.
        XCTAssertEqual(detect(Array("<meta charset=windows-1251>".utf8) + twoGood + [0xE9], hint: "utf-8").source, .utf8Mostly)
        XCTAssertEqual(detect(Array("<meta charset=windows-1251>".utf8) + [0xC2, 0xB8, 0xE9, 0xE9], hint: "utf-8"),
                       .init(encoding: "windows-1251", source: .declared, skip: 0))
    }

    func testWHATWGReplacementOfMalformedUTF8() {
        func repair(_ b: [UInt8]) -> [UInt8] { b.withUnsafeBufferPointer { Transcode.repairUTF8($0) } }
        let fffd: [UInt8] = [0xEF, 0xBF, 0xBD]
        // One U+FFFD per maximal malformed subpart; the byte that broke a sequence starts over.
        XCTAssertEqual(repair([0x61, 0xE2, 0x82, 0x62]), [0x61] + fffd + [0x62])
        XCTAssertEqual(repair([0xF0, 0x80, 0x80]), fffd + fffd + fffd)      // F0 80: 80 is out of range
        XCTAssertEqual(repair([0xED, 0xA0, 0x80]), fffd + fffd + fffd)      // surrogate
        XCTAssertEqual(repair([0xC0, 0xAF]), fffd + fffd)                   // overlong
        XCTAssertEqual(repair([0xE2, 0x80, 0x9D, 0xFF]), [0xE2, 0x80, 0x9D] + fffd)
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
