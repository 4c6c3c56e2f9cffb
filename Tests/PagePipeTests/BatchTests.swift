import Foundation
import XCTest
@testable import PagePipe

/// Cron-safety and scale-out: incremental reruns, shards + merge, kill -9, locks.
final class BatchTests: XCTestCase {
    static let outputs = ["documents.jsonl", "entities.csv", "entities-total.csv", "errors.jsonl", "dropped.jsonl"]

    func makeCorpus(_ dir: String, pages: Int) throws {
        for k in 0 ..< pages {
            try writeFile(dir + "/site\(k % 7)/page-\(k).html",
                          "<html><body><h1>Page \(k)</h1><p>Paragraph \(k) of the corpus, with some words.</p></body></html>")
        }
        try writeFile(dir + "/broken.html", "")
    }

    func assertSameOutputs(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in Self.outputs {
            XCTAssertEqual(try readFile(a + "/" + name), try readFile(b + "/" + name), name, file: file, line: line)
        }
    }

    func stats(_ dir: String) throws -> JSONValue { try JSONParser.parse(readFile(dir + "/stats.json")) }

    func testIncrementalRerunProcessesOnlyWhatChanged() throws {
        let input = try makeTemporaryDirectory(self), out = try makeTemporaryDirectory(self)
        let fresh = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 20)
        let args = ["run", "--input", input, "--output", out, "--incremental"]
        XCTAssertEqual(try runPagePipe(args).status, 1) // broken.html fails
        XCTAssertEqual(try stats(out)["processed"], .int(21))

        // Nothing changed: nothing processed, outputs unchanged, the failure not retried.
        let before = try readFile(out + "/documents.jsonl")
        XCTAssertEqual(try runPagePipe(args).status, 1)
        XCTAssertEqual(try stats(out)["processed"], .int(0))
        XCTAssertEqual(try stats(out)["skipped"], .int(21))
        XCTAssertEqual(try readFile(out + "/documents.jsonl"), before)

        // One new page, one deleted, one touched without change: 1 processed.
        try writeFile(input + "/site0/new.html", "<p>A new page.</p>")
        try FileManager.default.removeItem(atPath: input + "/site1/page-1.html")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)],
                                              ofItemAtPath: input + "/site2/page-2.html")
        XCTAssertEqual(try runPagePipe(args).status, 1)
        XCTAssertEqual(try stats(out)["processed"], .int(1))
        XCTAssertEqual(try stats(out)["skipped"], .int(20))

        // The outputs describe the whole corpus, exactly as a fresh run does.
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", fresh]).status, 1)
        try assertSameOutputs(out, fresh)

        // A changed page is processed again; --retry-failed retries the failure.
        try writeFile(input + "/site3/page-3.html", "<p>Rewritten.</p>")
        XCTAssertEqual(try runPagePipe(args + ["--retry-failed"]).status, 1)
        XCTAssertEqual(try stats(out)["processed"], .int(2))
    }

    func testChangingThePipelineReprocessesEverything() throws {
        let input = try makeTemporaryDirectory(self), out = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 5)
        try writeFile(input + "/p.json", #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl"}]}"#)
        try writeFile(input + "/q.json", #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id"]}}]}"#)
        // Status 1: broken.html fails in both runs.
        XCTAssertEqual(try runPagePipe(["run", "--pipeline", input + "/p.json", "--input", input, "--output", out, "--incremental"]).status, 1)
        XCTAssertEqual(try runPagePipe(["run", "--pipeline", input + "/q.json", "--input", input, "--output", out, "--incremental"]).status, 1)
        XCTAssertEqual(try stats(out)["processed"], .int(6))
        XCTAssertTrue(try readFile(out + "/documents.jsonl").hasPrefix(#"{"id":"site0/page-0.html"}"#))
    }

    func testThreeShardsMergeIntoTheBytesOfOneRun() throws {
        let input = try makeTemporaryDirectory(self), work = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 60)
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", work + "/one"]).status, 1)
        var counts: [Int] = []
        for k in 1 ... 3 {
            let shard = try runPagePipe(["run", "--input", input, "--output", work + "/shard\(k)", "--shard", "\(k)/3"])
            // broken.html fails in exactly one shard: the one its id hashes to.
            let expected: Int32 = ShardSpec(index: k, count: 3)!.contains(id: "broken.html") ? 1 : 0
            XCTAssertEqual(shard.status, expected, shard.stderr)
            counts.append(try readFile(work + "/shard\(k)/documents.jsonl").split(separator: "\n").count)
        }
        XCTAssertEqual(counts.reduce(0, +), 60)
        XCTAssertTrue(counts.allSatisfy { $0 > 5 }, "a hash split spreads pages: \(counts)")
        let merged = try runPagePipe(["merge", work + "/shard3", work + "/shard1", work + "/shard2", "--output", work + "/merged"])
        XCTAssertEqual(merged.status, 1) // the merged run has broken.html's failure, like the single run
        try assertSameOutputs(work + "/one", work + "/merged")
        XCTAssertEqual(try stats(work + "/merged")["processed"], .int(61))

        let incomplete = try runPagePipe(["merge", work + "/shard1", work + "/shard3", "--output", work + "/m2"])
        XCTAssertEqual(incomplete.status, 2)
        XCTAssertEqual(incomplete.stderr, "pagepipe merge: missing shard 2/3\n")
    }

    /// Shards record the pipeline they ran: the merge needs no pipeline file
    /// (run here from a folder without one), and uses the shards' pipeline, not
    /// the default one.
    func testMergeTakesThePipelineTheShardsRecord() throws {
        let input = try makeTemporaryDirectory(self), work = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 12)
        try writeFile(work + "/config/q.json",
                      #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id", "text"]}}]}"#)
        let q = work + "/config/q.json"
        XCTAssertEqual(try runPagePipe(["run", "--pipeline", q, "--input", input, "--output", work + "/one"]).status, 1)
        for k in 1 ... 2 {
            _ = try runPagePipe(["run", "--pipeline", q, "--input", input, "--output", work + "/s\(k)", "--shard", "\(k)/2"])
        }
        let merged = try runPagePipe(["merge", work + "/s1", work + "/s2", "--output", work + "/merged"], cwd: work)
        XCTAssertEqual(merged.status, 1, merged.stderr)
        XCTAssertEqual(try readFile(work + "/merged/documents.jsonl"), try readFile(work + "/one/documents.jsonl"))
        XCTAssertTrue(try readFile(work + "/merged/documents.jsonl").hasPrefix(#"{"id":"site0/page-0.html","text":"#))
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/merged/entities.csv"), "q.json has no emit-csv")
        // Given explicitly, the same file is accepted.
        XCTAssertEqual(try runPagePipe(["merge", work + "/s1", work + "/s2", "--output", work + "/m2", "--pipeline", q]).status, 1)
    }

    /// Shards of different pipelines, or a pipeline file other than theirs, are
    /// refused (exit 2, nothing written) with the first difference named.
    func testMergeRefusesShardsThatRanAnotherPipelineNamingTheDifference() throws {
        let input = try makeTemporaryDirectory(self), work = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 12)
        try writeFile(work + "/p.json", #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl"}]}"#)
        try writeFile(work + "/q.json", #"{"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileBytes": 1000}}, {"stage": "emit-jsonl"}]}"#)
        try writeFile(work + "/r.json", #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "remove-boilerplate"}, {"stage": "emit-jsonl"}]}"#)
        _ = try runPagePipe(["run", "--pipeline", work + "/p.json", "--input", input, "--output", work + "/s1", "--shard", "1/2"])
        _ = try runPagePipe(["run", "--pipeline", work + "/q.json", "--input", input, "--output", work + "/s2", "--shard", "2/2"])
        let mixed = try runPagePipe(["merge", work + "/s1", work + "/s2", "--output", work + "/merged"])
        XCTAssertEqual(mixed.status, 2)
        XCTAssertEqual(mixed.stderr, "pagepipe merge: \(work)/s2 ran another pipeline than \(work)/s1: "
            + "stages[0] parse-html option maxFileBytes: 1000 in \(work)/s2, 67108864 in \(work)/s1\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/merged/documents.jsonl"))

        let other = try runPagePipe(["merge", work + "/s1", "--output", work + "/merged", "--pipeline", work + "/r.json"])
        XCTAssertEqual(other.status, 2)
        XCTAssertEqual(other.stderr, "pagepipe merge: \(work)/s1 ran another pipeline than \(work)/r.json: "
            + "stages parse-html -> emit-jsonl in \(work)/s1, parse-html -> remove-boilerplate -> emit-jsonl in \(work)/r.json\n")
    }

    func testShardFromSchedulerEnvironment() throws {
        XCTAssertEqual(try ShardSpec.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"], count: nil),
                       ShardSpec(index: 4, count: 8))
        XCTAssertEqual(try ShardSpec.fromEnvironment(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3"], count: nil),
                       ShardSpec(index: 1, count: 3))
        XCTAssertEqual(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: 5), ShardSpec(index: 3, count: 5))
        XCTAssertThrowsError(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: nil)) { error in
            XCTAssertEqual("\(error)", "--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not; give --shard-count (the Job's completions)")
        }
        XCTAssertThrowsError(try ShardSpec.fromEnvironment([:], count: 3)) { error in
            XCTAssertEqual("\(error)", "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
        }
        XCTAssertNil(ShardSpec(parsing: "0/3"))
        XCTAssertNil(ShardSpec(parsing: "4/3"))
        XCTAssertEqual(ShardSpec(parsing: "3/3")?.description, "3/3")
    }

    /// A run killed with SIGKILL leaves the previous outputs whole (or none);
    /// the same command again ends byte-identical to an uninterrupted run.
    func testKillNineThenRerunGivesTheSameBytes() throws {
        let input = try makeTemporaryDirectory(self), work = try makeTemporaryDirectory(self)
        try makeCorpus(input, pages: 3000)
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", work + "/clean", "--jobs", "2"]).status, 1)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: productsDirectory + "/pagepipe")
        process.arguments = ["run", "--input", input, "--output", work + "/killed", "--jobs", "2"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it mid-run: once it has started writing its temporary files.
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: work + "/killed")) ?? []
            if names.contains(where: { $0.contains(".tmp-") }) { break }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        // No torn output is visible: a file is either absent or complete.
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/killed/documents.jsonl"))

        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", work + "/killed", "--jobs", "2"]).status, 1)
        try assertSameOutputs(work + "/clean", work + "/killed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work + "/killed").filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func makeWARC(_ path: String, pages: Int, prefix: String, corruptTail: Bool = false) throws {
        var warc = WARCWriter()
        warc.addWarcinfo()
        for k in 0 ..< pages {
            warc.addRequest(uri: "https://\(prefix).example/\(k)")
            // Record ids deliberately not in order: pages keep their record order.
            warc.addResponse(uri: "https://\(prefix).example/\(k)", body: "<html><body><p>\(prefix) page \(k) text.</p></body></html>",
                             recordID: "urn:uuid:\(prefix)-\(String(format: "%02d", (k * 2) % pages))")
        }
        warc.addResponse(uri: "https://\(prefix).example/logo.png", headers: [("Content-Type", "image/png")], body: [0x89, 0x50, 0x4E, 0x47])
        warc.addResponse(uri: "https://\(prefix).example/missing", status: 404, reason: "Not Found", body: "<p>gone</p>")
        if corruptTail { warc.addRaw(Array("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999\r\n\r\nshort".utf8)) }
        try warc.write(to: path, compression: .perRecord)
    }

    func testWARCPagesBecomeDocumentsInRecordOrder() throws {
        let input = try makeTemporaryDirectory(self), out = try makeTemporaryDirectory(self)
        try makeWARC(input + "/crawl/a.warc.gz", pages: 3, prefix: "a", corruptTail: true)
        try writeFile(input + "/crawl/b.html", "<p>A plain page.</p>")
        let result = try runPagePipe(["run", "--input", input, "--output", out])
        XCTAssertEqual(result.status, 1, result.stderr) // the corrupt record
        let docs = try readFile(out + "/documents.jsonl").split(separator: "\n").map { try JSONParser.parse(String($0)) }
        XCTAssertEqual(docs.compactMap { $0["id"]?.stringValue },
                       ["crawl/a.warc.gz#urn:uuid:a-00", "crawl/a.warc.gz#urn:uuid:a-02", "crawl/a.warc.gz#urn:uuid:a-01", "crawl/b.html"])
        XCTAssertEqual(docs[1]["text"], .string("a page 1 text."))
        XCTAssertEqual(docs[1]["url"], .string("https://a.example/1"))
        let errors = try readFile(out + "/errors.jsonl")
        XCTAssertTrue(errors.hasPrefix(#"{"id":"crawl/a.warc.gz#offset-"#), errors)
        let stats = try self.stats(out)
        XCTAssertEqual(stats["warcSkippedRecords"], .object([("http-status", .int(1)), ("non-html", .int(1)), ("request", .int(3)), ("warcinfo", .int(1))]))
    }

    func testWARCShardsMergeAndIncrementalReuse() throws {
        let input = try makeTemporaryDirectory(self), work = try makeTemporaryDirectory(self)
        for k in 0 ..< 6 { try makeWARC(input + "/w\(k).warc.gz", pages: 4, prefix: "w\(k)") }
        try makeCorpus(input, pages: 10)
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", work + "/one"]).status, 1)
        for k in 1 ... 2 {
            let shard = try runPagePipe(["run", "--input", input, "--output", work + "/s\(k)", "--shard", "\(k)/2"])
            XCTAssertEqual(shard.status, ShardSpec(index: k, count: 2)!.contains(id: "broken.html") ? 1 : 0, shard.stderr)
        }
        XCTAssertEqual(try runPagePipe(["merge", work + "/s1", work + "/s2", "--output", work + "/merged"]).status, 1)
        try assertSameOutputs(work + "/one", work + "/merged")

        let inc = work + "/inc"
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", inc, "--incremental"]).status, 1)
        XCTAssertEqual(try stats(inc)["processed"], .int(6 * 4 + 11))
        try makeWARC(input + "/w2.warc.gz", pages: 5, prefix: "w2")
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", inc, "--incremental"]).status, 1)
        XCTAssertEqual(try stats(inc)["processed"], .int(5))
        XCTAssertEqual(try stats(inc)["skipped"], .int(5 * 4 + 11))
        XCTAssertEqual(try runPagePipe(["run", "--input", input, "--output", work + "/fresh"]).status, 1)
        try assertSameOutputs(inc, work + "/fresh")
    }
}
