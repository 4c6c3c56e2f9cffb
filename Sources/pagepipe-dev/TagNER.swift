import ArgumentParser
import Foundation
import PagePipe

/// `pagepipe-dev tag-ner --models DIR`: `pagepipe stage count-entities` with the
/// models of a folder (ner-LANG.bin, gazetteer-LANG.txt) instead of the shipped
/// ones, so that ner_eval.py can score a model before it ships:
/// `ner_eval.py GOLD -- .build/release/pagepipe-dev tag-ner --models /tmp/m`.
struct TagNER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag-ner",
        abstract: "Run count-entities on JSON Lines from stdin with the models of a folder.")

    @Option(help: "Folder with ner-LANG.bin and gazetteer-LANG.txt.")
    var models: String

    func run() throws {
        let stage = try CountEntities(options: CountEntities.Options(), models: EntityModels(directory: models))
        var out: [UInt8] = []
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.isEmpty { continue }
            var doc: Document
            switch StageTester.document(from: line, number: number) {
            case .success(let d): doc = d
            case .failure(let e): throw ValidationError(e.message)
            }
            _ = try stage.process(&doc)
            var w = JSONWriter()
            w.value(DocumentJSON.object(doc))
            out.append(contentsOf: w.bytes)
            out.append(0x0A)
        }
        FileHandle.standardOutput.write(Data(out))
    }
}
