import Foundation
import Testing
@testable import PagePipe

/// Inputs the fuzzer (scripts/fuzz.sh) found crashing, hanging or tripping a
/// sanitizer, kept in Tests/Fuzz/regressions/, and its seed corpus: each must
/// go through the default chain's transform stages (as pagepipe-fuzz runs
/// them) and come out as a page or as a page failure, never a crash.
@Suite struct FuzzRegressionTests {
    /// How a page left the chain: the stage that failed or dropped it, or nil when it passed.
    struct Outcome {
        var stoppedAt: String?
        var reason: String?
        var document: Document
    }

    static func runChain(_ bytes: [UInt8]) throws -> Outcome {
        var document = Document(id: "fuzz-regression")
        document.html = bytes
        for name in StageRegistry.defaultChain {
            let descriptor = try #require(StageRegistry.descriptor(named: name))
            if descriptor.kind == .emitter { continue }
            let stage = try descriptor.makeWithDefaults()
            do {
                if case .drop(let reason) = try stage.process(&document) {
                    return Outcome(stoppedAt: name, reason: reason, document: document)
                }
            } catch {
                return Outcome(stoppedAt: name, reason: "\(error)", document: document)
            }
        }
        return Outcome(stoppedAt: nil, reason: nil, document: document)
    }

    static func files(in folder: String) -> [String] {
        let path = repoRoot + "/Tests/Fuzz/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted().map { path + "/" + $0 }
    }

    @Test(arguments: files(in: "regressions") + files(in: "corpus"))
    func inputRunsThroughTheChain(_ path: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let outcome = try Self.runChain(Array(bytes))
        if outcome.stoppedAt == nil {
            // A page that passed has its text; parse-html always sets it.
            #expect(outcome.document.text != nil)
        } else {
            #expect(outcome.reason?.isEmpty == false, "a stop names its reason")
        }
    }

    /// The seeds reach every stage: some page of the corpus passes the whole
    /// chain with its entities counted (an empty or all-failing corpus would
    /// make the test above pass without running the later stages).
    @Test func seedCorpusReachesTheEndOfTheChain() throws {
        let passed = try Self.files(in: "corpus").filter { path in
            let bytes = try #require(FileManager.default.contents(atPath: path))
            let outcome = try Self.runChain(Array(bytes))
            return outcome.stoppedAt == nil && outcome.document.entities?.isEmpty == false
        }
        #expect(!passed.isEmpty)
    }
}
