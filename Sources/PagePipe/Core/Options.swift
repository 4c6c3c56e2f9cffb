/// A stage's options: a struct of plain fields whose initial values are the
/// defaults, and one `declaration` that names each option once, bound to its
/// field by key path, with its constraints and documentation:
///
///     public struct Options: StageOptions {
///         public var minWords = 3
///         public init() {}
///         public static let declaration: [StageOption<Options>] = [
///             StageOption("minWords", \.minWords, min: 1, "Drop documents with fewer words."),
///         ]
///     }
///
/// Decoding (`pipeline.json`, `--options`), `pagepipe stages`, `pagepipe schema`
/// and the pipeline's fingerprint all read the declaration; the stage's `init`
/// receives the filled-in struct and never looks an option up by name.
public protocol StageOptions: Sendable {
    /// Every option at its default.
    init()
    /// Every option, in the order `pagepipe stages` lists them.
    static var declaration: [StageOption<Self>] { get }
}

/// The JSON shape an option accepts, for messages, `pagepipe stages` and the schema.
public enum OptionType: Sendable, Equatable {
    case bool
    case integer(min: Int?, max: Int?)
    case number(min: Double?, max: Double?)
    case string
    case choice([String])
    case choiceList([String])
    case stringList
    /// A file path; relative paths are taken from the pipeline file's folder.
    case path

    /// "an integer >= 0", "one of \"nfc\", \"nfkc\"", ...
    public var expectation: String {
        switch self {
        case .bool: return "a boolean"
        case let .integer(min, max): return "an integer" + Self.range(min.map(String.init), max.map(String.init))
        case let .number(min, max): return "a number" + Self.range(min.map { "\($0)" }, max.map { "\($0)" })
        case .string: return "a string"
        case .choice(let values): return "one of " + Self.quoted(values)
        case .choiceList(let values): return "an array of " + Self.quoted(values)
        case .stringList: return "an array of strings"
        case .path: return "a file path (string)"
        }
    }

    public var typeName: String {
        switch self {
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string, .path, .choice: return "string"
        case .stringList, .choiceList: return "array of strings"
        }
    }

    private static func quoted(_ values: [String]) -> String { values.map { "\"\($0)\"" }.joined(separator: ", ") }

    private static func range(_ lo: String?, _ hi: String?) -> String {
        switch (lo, hi) {
        case let (lo?, hi?): return " between \(lo) and \(hi)"
        case let (lo?, nil): return " >= \(lo)"
        case let (nil, hi?): return " <= \(hi)"
        case (nil, nil): return ""
        }
    }
}

/// A Swift type an option field can have: how it reads from and writes to JSON.
public protocol OptionValue: Sendable {
    static var optionType: OptionType { get }
    /// nil when `json` has the wrong type.
    init?(json: JSONValue)
    var json: JSONValue { get }
}

extension Bool: OptionValue {
    public static var optionType: OptionType { .bool }
    public init?(json: JSONValue) { guard case .bool(let b) = json else { return nil }; self = b }
    public var json: JSONValue { .bool(self) }
}

extension Int: OptionValue {
    public static var optionType: OptionType { .integer(min: nil, max: nil) }
    public init?(json: JSONValue) { guard case .int(let n) = json else { return nil }; self = n }
    public var json: JSONValue { .int(self) }
}

extension Double: OptionValue {
    public static var optionType: OptionType { .number(min: nil, max: nil) }
    public init?(json: JSONValue) {
        switch json {
        case .double(let d): self = d
        case .int(let n): self = Double(n)
        default: return nil
        }
    }
    public var json: JSONValue { .double(self) }
}

extension String: OptionValue {
    public static var optionType: OptionType { .string }
    public init?(json: JSONValue) { guard case .string(let s) = json else { return nil }; self = s }
    public var json: JSONValue { .string(self) }
}

/// A string option with a fixed set of values: an enum whose raw values are
/// what the user writes (`enum Favor: String, CaseIterable, OptionChoice`).
public protocol OptionChoice: OptionValue, CaseIterable, RawRepresentable where RawValue == String {}

extension OptionChoice {
    public static var optionType: OptionType { .choice(allCases.map(\.rawValue)) }
    public init?(json: JSONValue) {
        guard case .string(let s) = json, let v = Self(rawValue: s) else { return nil }
        self = v
    }
    public var json: JSONValue { .string(rawValue) }
}

extension Array: OptionValue where Element: OptionValue {
    public static var optionType: OptionType {
        switch Element.optionType {
        case .choice(let values): return .choiceList(values)
        case .string: return .stringList
        default: preconditionFailure("an option array holds strings or choices, not \(Element.self)")
        }
    }
    public init?(json: JSONValue) {
        guard case .array(let items) = json else { return nil }
        var out: [Element] = []
        for item in items {
            guard let v = Element(json: item) else { return nil }
            out.append(v)
        }
        self = out
    }
    public var json: JSONValue { .array(map(\.json)) }
}

/// A file named by an option, as written and resolved against the pipeline
/// file's folder. An empty string in JSON means no file.
public struct OptionPath: Sendable, Equatable {
    public var given: String
    public var resolved: String

    public init(_ given: String, baseDirectory: String = ".") {
        self.given = given
        resolved = given.hasPrefix("/") || baseDirectory == "." ? given : baseDirectory + "/" + given
    }
}

/// One declared option of the options struct `Root`.
public struct StageOption<Root: StageOptions>: Sendable {
    public let name: String
    public let type: OptionType
    public let doc: String
    /// The option's value in `options`, as JSON (defaults, fingerprints).
    let encode: @Sendable (Root) -> JSONValue
    /// Sets the option from JSON; returns what is wrong with the value, or nil.
    let decode: @Sendable (inout Root, JSONValue, _ baseDirectory: String) -> String?

    /// Any option type; `check` can refuse a well-typed value with a reason
    /// ("libxml2 cannot decode \"klingon-8\"").
    public init<V: OptionValue>(_ name: String, _ field: WritableKeyPath<Root, V> & Sendable, _ doc: String,
                                check: (@Sendable (V) -> String?)? = nil) {
        self.init(name, field, type: V.optionType, doc, check: check)
    }

    public init(_ name: String, _ field: WritableKeyPath<Root, Int> & Sendable, min: Int? = nil, max: Int? = nil, _ doc: String) {
        self.init(name, field, type: .integer(min: min, max: max), doc) { v in
            (min.map { v < $0 } ?? false) || (max.map { v > $0 } ?? false) ? "" : nil
        }
    }

    public init(_ name: String, _ field: WritableKeyPath<Root, Double> & Sendable, min: Double? = nil, max: Double? = nil,
                _ doc: String) {
        self.init(name, field, type: .number(min: min, max: max), doc) { v in
            (min.map { v < $0 } ?? false) || (max.map { v > $0 } ?? false) ? "" : nil
        }
    }

    /// A file path; "" (the default) is no file.
    public init(_ name: String, _ field: WritableKeyPath<Root, OptionPath?> & Sendable, _ doc: String) {
        self.name = name
        type = .path
        self.doc = doc
        encode = { .string($0[keyPath: field]?.given ?? "") }
        decode = { root, json, base in
            guard case .string(let s) = json else { return "expected \(OptionType.path.expectation), got \(json.serialized)" }
            root[keyPath: field] = s.isEmpty ? nil : OptionPath(s, baseDirectory: base)
            return nil
        }
    }

    /// `check` returning "" means "out of the declared range": the message is then the type's expectation.
    private init<V: OptionValue>(_ name: String, _ field: WritableKeyPath<Root, V> & Sendable, type: OptionType, _ doc: String,
                                 check: (@Sendable (V) -> String?)?) {
        self.name = name
        self.type = type
        self.doc = doc
        encode = { $0[keyPath: field].json }
        decode = { root, json, _ in
            guard let value = V(json: json) else { return "expected \(type.expectation), got \(json.serialized)" }
            if let problem = check?(value) {
                return problem.isEmpty ? "expected \(type.expectation), got \(json.serialized)" : problem
            }
            root[keyPath: field] = value
            return nil
        }
    }
}

/// An option with its owner's type erased: what `pagepipe stages` and the schema print.
public struct OptionInfo: Sendable {
    public var name: String
    public var type: OptionType
    public var defaultValue: JSONValue
    public var doc: String
}

extension StageOptions {
    /// The declaration, type-erased, with each option's default.
    public static var infos: [OptionInfo] {
        let defaults = Self()
        return declaration.map { OptionInfo(name: $0.name, type: $0.type, defaultValue: $0.encode(defaults), doc: $0.doc) }
    }

    /// Every option's current value, in declaration order.
    public var values: [(String, JSONValue)] { Self.declaration.map { ($0.name, $0.encode(self)) } }

    /// Defaults overlaid with the options in `value` (nil or null: all
    /// defaults). Unknown names, wrong types and refused values are added to
    /// `issues` under `path.NAME`; nil when there was any.
    /// - Parameter stage: the stage's name, for "unknown option for STAGE".
    public static func decode(_ value: JSONValue?, path: String, stage: String, baseDirectory: String,
                              issues: inout [ConfigIssue]) -> Self? {
        var options = Self()
        let before = issues.count
        switch value {
        case nil, .null?: break
        case .object(let members)?:
            for (key, v) in members {
                guard let option = declaration.first(where: { $0.name == key }) else {
                    let known = declaration.map(\.name)
                    issues.append(ConfigIssue(path: "\(path).\(key)", message: "unknown option for \(stage) "
                        + (known.isEmpty ? "(it has no options)" : "(known: \(known.joined(separator: ", ")))")))
                    continue
                }
                if let problem = option.decode(&options, v, baseDirectory) {
                    issues.append(ConfigIssue(path: "\(path).\(key)", message: problem))
                }
            }
        case .some:
            issues.append(ConfigIssue(path: path, message: "expected an object of options"))
        }
        return issues.count > before ? nil : options
    }
}
