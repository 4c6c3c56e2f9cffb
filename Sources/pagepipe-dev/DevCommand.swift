import ArgumentParser
import PagePipe

/// Developer commands: train the models, evaluate against ../shared/data,
/// benchmark. Not needed to run pipelines.
@main
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pagepipe-dev",
        abstract: "pagepipe developer tools: training, evaluation, benchmarks.",
        subcommands: [
            // Each tool lives in its own file and adds itself here.
            Bench.self,
            WARCStats.self,
            TrainLangID.self,
            EvalLangID.self,
            BenchLanguage.self,
            EvalArticles.self,
            TrainNER.self,
            BenchNER.self,
            CheckNERTokens.self,
            ExplainNER.self,
            TagNER.self,
        ]
    )
}
