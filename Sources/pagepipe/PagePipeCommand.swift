import ArgumentParser
import Foundation
import Logging
import PagePipe

@main
struct PagePipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pagepipe",
        abstract: "Turn folders of scraped web pages into clean article text and entity counts.",
        discussion: """
        A pipeline (pipeline.json) lists stages in order: parse-html, remove-boilerplate, normalize-language, count-entities, then emitters that write files.

        Exit codes: 0 every page succeeded; 1 some pages failed (see errors.jsonl); 2 configuration error (nothing was read); 64 command-line usage error; 74 I/O error on the outputs after the run started (the previous outputs are left as they were); 75 the output folder is locked by another run.
        """,
        subcommands: [Run.self, Merge.self, Validate.self, Schema.self, Stages.self, StageCommand.self],
        defaultSubcommand: nil
    )

    @Flag(name: .long, help: "Print the version and the SHA-256 of every model file, then exit.")
    var version = false

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        try printVersion()
    }
}

/// Prints a message to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// Loads and builds a pipeline; a bad file exits 2 with every problem listed.
func loadPipeline(_ path: String) throws -> (PipelineConfig, Pipeline) {
    do {
        let config = try PipelineConfig.load(path: path)
        return (config, try config.build(file: path))
    } catch {
        printError("pagepipe: \(error)")
        throw ExitCode(ExitStatus.configuration)
    }
}

/// The absolute folder of a pipeline file, where relative paths in its options
/// are resolved: what a run records with its pipeline.
func pipelineFolder(_ file: String) -> String {
    let folder = (file as NSString).deletingLastPathComponent
    if folder.hasPrefix("/") { return folder }
    let cwd = FileManager.default.currentDirectoryPath
    return folder.isEmpty ? cwd : cwd + "/" + folder
}

/// Takes the output folder's lock; another run holding it exits 75.
func lockOutput(_ folder: String) throws -> OutputLock {
    do {
        return try OutputLock(folder: folder)
    } catch let held as OutputLock.Held {
        printError("pagepipe: \(held)")
        throw ExitCode(ExitStatus.locked)
    } catch {
        printError("pagepipe: \(error)")
        throw ExitCode(ExitStatus.configuration)
    }
}

func makeLogger() -> Logger {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    var logger = Logger(label: "pagepipe")
    logger.logLevel = .warning
    return logger
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline over folders of pages and write the outputs.",
        discussion: """
        Walks each input folder recursively for .html, .htm and .xhtml files (also gzip'd, .gz), in sorted order, and runs the stages. Emitters write into the output folder, each file replaced atomically; errors.jsonl lists every page that failed ({"id","stage","error"}), dropped.jsonl every page a stage dropped, and stats.json the counts and CPU time per stage. A page that fails never stops the run.
        """)

    @Option(name: .long, help: ArgumentHelp("The pipeline file.", valueName: "file"), completion: .file(extensions: ["json"]))
    var pipeline: String = "pipeline.json"

    @Option(name: .long, help: ArgumentHelp("An input folder (repeatable); overrides the pipeline's \"input\".", valueName: "dir"),
            completion: .directory)
    var input: [String] = []

    @Option(name: .long, help: ArgumentHelp("The output folder; overrides the pipeline's \"output\".", valueName: "dir"),
            completion: .directory)
    var output: String?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Show a progress line even when stderr is not a terminal.")
    var progress = false

    @Flag(name: .long, help: "Print nothing but fatal errors.")
    var quiet = false

    @Flag(name: .long, help: ArgumentHelp(
        "Process only new or changed pages; reuse stored results for the rest.",
        discussion: "Keeps a manifest (path, size, mtime, content hash, result) in OUTPUT/.pagepipe/. Outputs still describe the whole corpus; deleted pages drop out."))
    var incremental = false

    @Flag(name: .long, help: "With --incremental: process pages that failed last time even if unchanged.")
    var retryFailed = false

    @Option(name: .long, help: ArgumentHelp(
        "Process shard K of N (1-based, e.g. 2/8), or 'auto' to read it from Slurm or Kubernetes.",
        discussion: "auto: SLURM_ARRAY_TASK_ID (from SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX (0-based) with --shard-count. Combine the shards' output folders with `pagepipe merge`.",
        valueName: "K/N|auto"))
    var shard: String?

    @Option(name: .long, help: "The number of shards for --shard auto (Kubernetes: the Job's completions).")
    var shardCount: Int?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let shard, shard != "auto", ShardSpec(parsing: shard) == nil {
            throw ValidationError("--shard must be K/N with 1 <= K <= N, or auto; got \"\(shard)\"")
        }
        if retryFailed && !incremental { throw ValidationError("--retry-failed needs --incremental") }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
    }

    func shardSpec() throws -> ShardSpec? {
        guard let shard else { return nil }
        if shard == "auto" { return try ShardSpec.fromEnvironment(ProcessInfo.processInfo.environment, count: shardCount) }
        return ShardSpec(parsing: shard)
    }

    func run() throws {
        let logger = makeLogger()
        let (config, pipelineValue) = try loadPipeline(pipeline)
        let inputs = input.isEmpty ? config.inputs : input
        guard !inputs.isEmpty else {
            printError("pagepipe: no input: give --input DIR or \"input\" in \(pipeline)")
            throw ExitCode(ExitStatus.configuration)
        }
        guard let outputDir = output ?? config.output else {
            printError("pagepipe: no output folder: give --output DIR or \"output\" in \(pipeline)")
            throw ExitCode(ExitStatus.configuration)
        }
        let items: [InputItem]
        let shardValue: ShardSpec?
        do {
            shardValue = try shardSpec()
            items = try InputWalker.walk(inputs)
        } catch {
            printError("pagepipe: \(error)")
            throw ExitCode(ExitStatus.configuration)
        }
        let lock = try lockOutput(outputDir)
        let tty = isatty(STDERR_FILENO) == 1
        let runner = Runner(pipeline: pipelineValue,
                            options: .init(jobs: jobs, progress: !quiet && (progress || tty),
                                           incremental: incremental, retryFailed: retryFailed, shard: shardValue,
                                           pipelineFingerprint: pipelineFingerprint(config),
                                           pipelineRecord: PipelineRecord(config, baseDirectory: pipelineFolder(pipeline))))
        let summary: RunSummary
        do {
            summary = try runner.run(items: items, output: outputDir)
        } catch {
            logger.error("run failed: \(error)")
            throw ExitCode(ExitStatus.code(for: error))
        }
        withExtendedLifetime(lock) {}
        if !quiet && (tty || progress || summary.failed > 0) {
            var line = "pagepipe: \(summary.line) -> \(outputDir)"
            if summary.failed > 0 { line += " (failures in \(outputDir)/\(Runner.errorsFile))" }
            printError(line)
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the output folders of shards 1...N into the outputs of one run.",
        discussion: """
        Each folder must come from `pagepipe run --shard K/N` with the same pipeline; each records the pipeline it ran, which the merge uses (or checks against --pipeline), and shards that disagree are refused with the difference named. The merged documents.jsonl, entities.csv, entities-total.csv, errors.jsonl and dropped.jsonl are byte-identical to those of one unsharded run; stats.json adds up the shards' counts.
        """)

    @Argument(help: "The shards' output folders.", completion: .directory)
    var shards: [String]

    @Option(name: .long, help: ArgumentHelp("The merged output folder.", valueName: "dir"), completion: .directory)
    var output: String

    @Option(name: .long, help: ArgumentHelp(
        "The pipeline the shards ran (default: the one they record); shards that ran another are refused.",
        valueName: "file"), completion: .file(extensions: ["json"]))
    var pipeline: String?

    @Flag(name: .long, help: "Print nothing but fatal errors.")
    var quiet = false

    func run() throws {
        let plan: PagePipe.Merge.Plan
        let pipelineValue: Pipeline
        do {
            let given = try pipeline.map { file in
                let config = try PipelineConfig.load(path: file)
                return (file: file, config: config, record: PipelineRecord(config, baseDirectory: pipelineFolder(file)))
            }
            plan = try PagePipe.Merge.plan(shards: shards, given: given)
            pipelineValue = try plan.config.build(file: pipeline ?? ResultStore.path(in: shards[0]))
        } catch {
            printError("pagepipe merge: \(error)")
            throw ExitCode(ExitStatus.code(for: error))
        }
        let lock = try lockOutput(output)
        let summary: RunSummary
        do {
            summary = try PagePipe.Merge.run(plan, pipeline: pipelineValue, output: output)
        } catch {
            printError("pagepipe merge: \(error)")
            throw ExitCode(ExitStatus.code(for: error))
        }
        withExtendedLifetime(lock) {}
        if !quiet && (isatty(STDERR_FILENO) == 1 || summary.failed > 0) {
            printError("pagepipe merge: \(shards.count) shards, \(summary.pages) pages: \(summary.succeeded) ok, \(summary.failed) failed, \(summary.dropped) dropped -> \(output)")
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file and report every problem at once.")

    @Argument(help: "The pipeline file.", completion: .file(extensions: ["json"]))
    var file: String = "pipeline.json"

    func run() throws {
        do {
            let config = try PipelineConfig.load(path: file)
            _ = try config.build(file: file)
            print("\(file): valid (\(config.stages.map(\.descriptor.name).joined(separator: " -> ")))")
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.configuration)
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of pipeline.json, generated from the stage registry.")

    func run() throws {
        print(PipelineSchema.schema().pretty)
    }
}

struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every stage with its options, types, defaults and documentation.")

    func run() throws {
        print(PipelineSchema.listing(), terminator: "")
    }
}

struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run one or more stages on JSON Lines from stdin (stage-level testing).",
        discussion: """
        Each input line is {"id": ..., and one of "path" (a file, .gz allowed), "html", "text"}. Each output line has the same "id" and every field the stages set (text, title, url, language, mentions, entities, ...), or "stage" and "error" when the page failed. --options takes one stage's options, or an object keyed by stage name.

        Example: echo '{"id":"p","path":"samples/page.html"}' | pagepipe stage parse-html
        """)

    @Argument(help: "Stage names, run in order.", completion: .list(StageRegistry.names))
    var stages: [String]

    @Option(name: .long, help: ArgumentHelp("Options as JSON.", valueName: "json"))
    var options: String?

    @Flag(name: .long, help: "Also print the document after each stage (with \"after\": STAGE), to see what each stage did.")
    var each = false

    func run() throws {
        var optionsValue: JSONValue?
        if let options {
            do { optionsValue = try JSONParser.parse(options) } catch {
                printError("pagepipe: --options: not valid JSON: \(error)")
                throw ExitCode(ExitStatus.configuration)
            }
        }
        let tester: StageTester
        do {
            tester = try StageTester(stageNames: stages, options: optionsValue)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.configuration)
        }
        let failed = tester.run(each: each)
        if failed > 0 { throw ExitCode(ExitStatus.somePagesFailed) }
    }
}
