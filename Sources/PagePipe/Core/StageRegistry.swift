/// The stages a pipeline can name. `standard` is every stage pagepipe ships,
/// in the order of the default chain: adding a stage is adding its descriptor
/// there, one line; `pagepipe stages`, `pagepipe schema`, validation and the
/// chain check all read the table. Tests extend it with stages of their own.
public struct StageRegistry: Sendable {
    public var all: [StageDescriptor]

    public init(_ all: [StageDescriptor]) { self.all = all }

    public static let standard = StageRegistry([
        ParseHTML.descriptor,
        RemoveBoilerplate.descriptor,
        NormalizeLanguage.descriptor,
        CountEntities.descriptor,
        EmitJSONL.descriptor,
        EmitCSV.descriptor,
    ])

    public func descriptor(named name: String) -> StageDescriptor? {
        all.first { $0.name == name }
    }

    public var names: [String] { all.map(\.name) }

    /// The first transform stage that writes `field`: what to suggest when a
    /// stage reads it and nothing earlier writes it.
    public func writer(of field: DocumentField) -> StageDescriptor? {
        all.first { $0.kind == .transform && $0.fields.writes.contains(field) }
    }

    public static var all: [StageDescriptor] { standard.all }
    public static var names: [String] { standard.names }
    public static func descriptor(named name: String) -> StageDescriptor? { standard.descriptor(named: name) }

    /// The chain `pipeline.json` in the repository declares (the fuzzer runs it).
    public static let defaultChain: [String] = [
        "parse-html", "remove-boilerplate", "normalize-language", "count-entities", "emit-jsonl", "emit-csv",
    ]
}
