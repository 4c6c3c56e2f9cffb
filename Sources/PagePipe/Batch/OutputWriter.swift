import Foundation

/// Writes results in order into every output of a run: the emitters' files,
/// errors.jsonl, dropped.jsonl and (optionally) the result store. Shared by
/// `run` and `merge`, which is why a merge gives the same bytes as one run.
final class OutputWriter {
    private var sinks: [(name: String, sink: any EmitterSink)] = []
    private let errors: AtomicFile
    private let dropped: AtomicFile
    private let store: AtomicFile?

    init(pipeline: Pipeline, output: String, store header: ResultStore.Header?) throws {
        errors = try AtomicFile(path: output + "/" + Runner.errorsFile)
        dropped = try AtomicFile(path: output + "/" + Runner.droppedFile)
        if let header {
            try FileManager.default.createDirectory(atPath: output + "/" + ResultStore.folder, withIntermediateDirectories: true)
            let f = try AtomicFile(path: ResultStore.path(in: output))
            var w = JSONWriter()
            w.value(header.json)
            w.bytes.append(0x0A)
            try f.write(w.bytes)
            store = f
        } else {
            store = nil
        }
        do {
            for (k, stage) in pipeline.stages.enumerated() {
                if let emitter = stage as? any Emitter {
                    sinks.append((pipeline.descriptors[k].name, try emitter.makeSink(directory: output)))
                }
            }
        } catch {
            abort()
            throw error
        }
    }

    func write(_ result: DocResult) throws {
        switch result.status {
        case .ok:
            for (name, sink) in sinks {
                try sink.write(record: result.records[name] ?? [], entities: result.entities)
            }
        case .dropped:
            try dropped.write(Self.line([("id", .string(result.id)), ("stage", .string(result.stage ?? "")),
                                         ("reason", .string(result.message ?? ""))]))
        case .failed:
            try errors.write(Self.line([("id", .string(result.id)), ("stage", .string(result.stage ?? "")),
                                        ("error", .string(result.message ?? ""))]))
        }
        if let store {
            var w = JSONWriter()
            w.value(result.json)
            w.bytes.append(0x0A)
            try store.write(w.bytes)
        }
    }

    private static func line(_ members: [(String, JSONValue)]) -> [UInt8] {
        var w = JSONWriter()
        w.value(.object(members))
        w.bytes.append(0x0A)
        return w.bytes
    }

    func commit() throws {
        for (_, sink) in sinks { try sink.commit() }
        try errors.commit()
        try dropped.commit()
        try store?.commit()
    }

    func abort() {
        sinks.forEach { $0.sink.abort() }
        errors.abort()
        dropped.abort()
        store?.abort()
    }
}
