import Foundation
import Testing
@testable import PagePipe

@Suite struct EmitterTests {
    @Test func csvQuotesOnlyWhatRFC4180Requires() {
        #expect(String(decoding: CSV.row(["plain", "a,b", "say \"hi\"", "two\nlines", "é"]), as: UTF8.self)
                == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",é\r\n")
    }

    @Test func jsonlRecordHasTheDefaultFieldsWithNulls() throws {
        let emitter = try EmitJSONL(json: [:])
        var doc = Document(id: "a/b.html")
        doc.text = "Line one\nLine \"two\""
        doc.entities = [Entity(name: "Bashar Assad", type: .person, count: 11)]
        _ = try emitter.process(&doc)
        let record = String(decoding: doc.emitted["emit-jsonl"] ?? [], as: UTF8.self)
        #expect(record == #"{"id":"a/b.html","url":null,"title":null,"language":null,"text":"Line one\nLine \"two\"","entities":[{"name":"Bashar Assad","type":"PER","count":11}]}"# + "\n")
    }

    @Test func jsonlFieldsOption() throws {
        let emitter = try EmitJSONL(json: ["fields": .array([.string("text"), .string("id")])])
        var doc = Document(id: "x")
        doc.text = "t"
        _ = try emitter.process(&doc)
        #expect(String(decoding: doc.emitted["emit-jsonl"] ?? [], as: UTF8.self) == #"{"text":"t","id":"x"}"# + "\n")
        #expect(throws: ConfigError.self) {
            _ = try EmitJSONL(json: ["fields": .array([.string("body")])])
        }
    }

    @Test func csvSinkWritesRowsAndCorpusTotals() throws {
        let dir = NSTemporaryDirectory() + "pagepipe-csv-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let emitter = try EmitCSV(json: [:])
        let sink = try emitter.makeSink(directory: dir)
        var a = Document(id: "a")
        a.entities = [Entity(name: "Moscow", type: .location, count: 5), Entity(name: "Kommersant, daily", type: .organization, count: 1)]
        var b = Document(id: "b")
        b.entities = [Entity(name: "Moscow", type: .location, count: 2)]
        for var d in [a, b] {
            _ = try emitter.process(&d)
            try sink.write(record: d.emitted["emit-csv"] ?? [], entities: d.entities ?? [])
        }
        // Nothing is visible before commit: files appear whole or not at all.
        #expect(!FileManager.default.fileExists(atPath: dir + "/entities.csv"))
        try sink.commit()
        #expect(try String(contentsOfFile: dir + "/entities.csv", encoding: .utf8) ==
                "document,entity,type,count\r\na,Moscow,LOC,5\r\na,\"Kommersant, daily\",ORG,1\r\nb,Moscow,LOC,2\r\n")
        #expect(try String(contentsOfFile: dir + "/entities-total.csv", encoding: .utf8) ==
                "entity,type,mentions,documents\r\nMoscow,LOC,7,2\r\n\"Kommersant, daily\",ORG,1,1\r\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["entities-total.csv", "entities.csv"])
    }
}

@Suite struct InputWalkerTests {
    @Test func walksRecursivelyInSortedOrderAndPicksPages() throws {
        let dir = NSTemporaryDirectory() + "pagepipe-walk-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["b.html", "a/z.HTM", "a/y.xhtml", "a/x.html.gz", "c/notes.txt", "c/img.png", ".hidden/h.html", "a/b/deep.htm"] {
            try writeFile(dir + "/" + name, "<p>x</p>")
        }
        let items = try InputWalker.walk([dir])
        #expect(items.map(\.id) == ["a/b/deep.htm", "a/x.html.gz", "a/y.xhtml", "a/z.HTM", "b.html"])
        #expect(items.allSatisfy { $0.error == nil && $0.path == dir + "/" + $0.id })
    }

    @Test func symlinkLoopsAreReportedNotFollowed() throws {
        let dir = NSTemporaryDirectory() + "pagepipe-loop-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/a/page.html", "<p>x</p>")
        try FileManager.default.createSymbolicLink(atPath: dir + "/a/again", withDestinationPath: dir + "/a")
        let items = try InputWalker.walk([dir])
        #expect(items.map(\.id) == ["a/again", "a/page.html"])
        #expect(items[0].error == "symlink loop: folder already visited")
    }

    @Test func aMissingInputIsAnError() {
        #expect(throws: SetupError("input /nonexistent/input: No such file or directory")) { try InputWalker.walk(["/nonexistent/input"]) }
    }
}
