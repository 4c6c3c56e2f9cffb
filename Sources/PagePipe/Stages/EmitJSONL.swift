/// emit-jsonl: writes `documents.jsonl` in the output folder, one JSON object
/// per document in `id` order, with the chosen fields (absent values null).
/// Never drops a document.
public struct EmitJSONL: Emitter {
    public static let fileName = "documents.jsonl"
    public static let allFields = ["id", "url", "title", "date", "site", "author", "language",
                                   "languageConfidence", "text", "entities", "mentions"]

    public static let descriptor = StageDescriptor(
        EmitJSONL.self, name: "emit-jsonl",
        summary: "Write documents.jsonl: one JSON object per document, in id order.",
        kind: .emitter,
        options: [
            OptionSpec("fields", .stringList,
                       default: .array(["id", "url", "title", "language", "text", "entities"].map { .string($0) }),
                       "Fields of each object, in order (from: \(allFields.joined(separator: ", ")))."),
        ])

    let fields: [String]

    public init(options: StageOptions) throws {
        fields = options.strings("fields")
        let unknown = fields.filter { !Self.allFields.contains($0) }
        guard unknown.isEmpty else {
            throw PageError("fields: unknown field \"\(unknown[0])\" (known: \(Self.allFields.joined(separator: ", ")))")
        }
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        document.emitted[Self.descriptor.name] = render(document)
        return .keep
    }

    func render(_ d: Document) -> [UInt8] {
        var w = JSONWriter()
        w.bytes.reserveCapacity((d.text?.utf8.count ?? 0) + 256)
        w.bytes.append(UInt8(ascii: "{"))
        for (k, field) in fields.enumerated() {
            if k > 0 { w.bytes.append(UInt8(ascii: ",")) }
            w.string(field)
            w.bytes.append(UInt8(ascii: ":"))
            switch field {
            case "id": w.string(d.id)
            case "url": w.optionalString(d.url)
            case "title": w.optionalString(d.title)
            case "date": w.optionalString(d.date)
            case "site": w.optionalString(d.site)
            case "author": w.optionalString(d.author)
            case "language": w.optionalString(d.language)
            case "languageConfidence":
                if let c = d.languageConfidence { w.double(c) } else { w.raw("null") }
            case "text": w.optionalString(d.text)
            case "entities":
                if let entities = d.entities { w.value(DocumentJSON.entities(entities)) } else { w.raw("null") }
            case "mentions":
                if let mentions = d.mentions { w.value(DocumentJSON.mentions(mentions)) } else { w.raw("null") }
            default: w.raw("null")
            }
        }
        w.bytes.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
        return w.bytes
    }

    public func makeSink(directory: String) throws -> any EmitterSink {
        LineSink(file: try AtomicFile(path: directory + "/" + Self.fileName))
    }
}

/// Appends each document's record to one file.
final class LineSink: EmitterSink {
    let file: AtomicFile
    init(file: AtomicFile) { self.file = file }
    func write(record: [UInt8], entities: [Entity]) throws { try file.write(record) }
    func commit() throws { try file.commit() }
    func abort() { file.abort() }
}
