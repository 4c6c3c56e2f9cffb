/// emit-jsonl: writes `documents.jsonl` in the output folder, one JSON object
/// per document in `id` order, with the chosen fields (absent values null).
/// Never drops a document.
public struct EmitJSONL: Emitter {
    public static let fileName = "documents.jsonl"

    public static let descriptor = StageDescriptor(
        EmitJSONL.self, name: "emit-jsonl",
        summary: "Write documents.jsonl: one JSON object per document, in id order.",
        kind: .emitter, readsIfSet: Set(Options().fields))

    /// It prints the fields it is asked for, null when unset.
    public static func fields(_ options: Options) -> StageFields { StageFields(readsIfSet: Set(options.fields)) }

    public struct Options: StageOptions {
        public var fields: [DocumentField] = [.id, .url, .title, .language, .text, .entities]
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("fields", \.fields, "Fields of each object, in order."),
        ]
    }

    let fields: [DocumentField]

    public init(options: Options) {
        fields = options.fields
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
            w.string(field.rawValue)
            w.bytes.append(UInt8(ascii: ":"))
            w.value(d.json(field) ?? .null)
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
