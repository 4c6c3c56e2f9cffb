/// Built stages in order. Owns the loop over stages, the timing and the counts
/// (the datatrove way): a stage only says keep, change, or drop with a reason.
public struct Pipeline: Sendable {
    public let stages: [any Stage]
    public let descriptors: [StageDescriptor]

    public init(stages: [any Stage], descriptors: [StageDescriptor]) {
        self.stages = stages
        self.descriptors = descriptors
    }

    /// How a document left the pipeline.
    public enum Result: Sendable {
        case done(Document)
        case dropped(Document, stage: String, reason: String)
        case failed(Document, stage: String, error: String)
    }

    public func emptyStats() -> [StageStats] { descriptors.map { StageStats(name: $0.name) } }

    /// Runs every stage on `document`, counting into `stats` (one entry per stage).
    /// - Parameter after: called with the stage index and the document after each
    ///   stage that kept it (stage-level testing shows each stage's work).
    public func run(_ document: Document, stats: inout [StageStats],
                    after: ((Int, Document) -> Void)? = nil) -> Result {
        var doc = document
        for k in 0 ..< stages.count {
            let stage = stages[k]
            stats[k].documentsIn += 1
            let t0 = threadCPUTime()
            let outcome: StageOutcome
            do {
                outcome = try stage.process(&doc)
            } catch {
                stats[k].cpuSeconds += threadCPUTime() - t0
                stats[k].errors += 1
                doc.tree = nil
                doc.html = nil
                return .failed(doc, stage: descriptors[k].name, error: "\(error)")
            }
            stats[k].cpuSeconds += threadCPUTime() - t0
            switch outcome {
            case .keep:
                stats[k].kept += 1
                after?(k, doc)
            case .drop(let reason):
                stats[k].dropped[reason, default: 0] += 1
                doc.tree = nil
                doc.html = nil
                return .dropped(doc, stage: descriptors[k].name, reason: reason)
            }
        }
        doc.tree = nil
        doc.html = nil
        return .done(doc)
    }
}
