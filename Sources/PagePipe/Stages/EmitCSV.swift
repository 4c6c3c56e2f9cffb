/// emit-csv: writes `entities.csv` (`document,entity,type,count`, one row per
/// entity of each document, in document order) and `entities-total.csv`
/// (`entity,type,mentions,documents` over the corpus, most mentioned first).
/// RFC 4180 quoting. Never drops a document.
public struct EmitCSV: Emitter {
    public static let fileName = "entities.csv"
    public static let totalsFileName = "entities-total.csv"

    public static let descriptor = StageDescriptor(
        EmitCSV.self, name: "emit-csv",
        summary: "Write entities.csv (per document) and entities-total.csv (corpus totals).",
        kind: .emitter, reads: [.entities])

    public struct Options: StageOptions {
        public var totals = true
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("totals", \.totals, "Also write entities-total.csv."),
        ]
    }

    let totals: Bool

    public init(options: Options) {
        totals = options.totals
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        var out: [UInt8] = []
        for e in document.entities ?? [] {
            CSV.appendRow([document.id, e.name, e.type.rawValue, String(e.count)], to: &out)
        }
        document.emitted[Self.descriptor.name] = out
        return .keep
    }

    public func makeSink(directory: String) throws -> any EmitterSink {
        let file = try AtomicFile(path: directory + "/" + Self.fileName)
        try file.write(CSV.row(["document", "entity", "type", "count"]))
        let totalsFile = totals ? try AtomicFile(path: directory + "/" + Self.totalsFileName) : nil
        return CSVSink(file: file, totalsFile: totalsFile)
    }
}

final class CSVSink: EmitterSink {
    struct Key: Hashable { var name: String; var type: EntityType }
    let file: AtomicFile
    let totalsFile: AtomicFile?
    var totals: [Key: (mentions: Int, documents: Int)] = [:]

    init(file: AtomicFile, totalsFile: AtomicFile?) {
        self.file = file
        self.totalsFile = totalsFile
    }

    func write(record: [UInt8], entities: [Entity]) throws {
        try file.write(record)
        guard totalsFile != nil else { return }
        for e in entities {
            let key = Key(name: e.name, type: e.type)
            let t = totals[key] ?? (0, 0)
            totals[key] = (t.mentions + e.count, t.documents + 1)
        }
    }

    func commit() throws {
        try file.commit()
        guard let totalsFile else { return }
        var out = CSV.row(["entity", "type", "mentions", "documents"])
        let rows = totals.sorted {
            if $0.value.mentions != $1.value.mentions { return $0.value.mentions > $1.value.mentions }
            if $0.key.name != $1.key.name { return $0.key.name < $1.key.name }
            return $0.key.type < $1.key.type
        }
        for (key, t) in rows {
            CSV.appendRow([key.name, key.type.rawValue, String(t.mentions), String(t.documents)], to: &out)
        }
        try totalsFile.write(out)
        try totalsFile.commit()
    }

    func abort() {
        file.abort()
        totalsFile?.abort()
    }
}

/// RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF line ends.
enum CSV {
    static func row(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        appendRow(fields, to: &out)
        return out
    }

    static func appendRow(_ fields: [String], to out: inout [UInt8]) {
        for (k, field) in fields.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            let needsQuotes = field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            if needsQuotes {
                out.append(0x22)
                for b in field.utf8 {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            } else {
                out.append(contentsOf: field.utf8)
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }
}
