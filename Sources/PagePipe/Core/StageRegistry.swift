/// Every stage pagepipe knows, in the order of the default chain. Adding a
/// stage is adding its descriptor here; `pagepipe stages`, `pagepipe schema`
/// and validation all read this table.
public enum StageRegistry {
    public static let all: [StageDescriptor] = [
        ParseHTML.descriptor,
        RemoveBoilerplate.descriptor,
        NormalizeLanguage.descriptor,
        CountEntities.descriptor,
        EmitJSONL.descriptor,
        EmitCSV.descriptor,
    ]

    public static func descriptor(named name: String) -> StageDescriptor? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map(\.name) }

    /// The chain `pipeline.json` in the repository declares, for `init`-style defaults.
    public static let defaultChain: [String] = [
        "parse-html", "remove-boilerplate", "normalize-language", "count-entities", "emit-jsonl", "emit-csv",
    ]
}
