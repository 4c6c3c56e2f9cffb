// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pagepipe",
    products: [
        .executable(name: "pagepipe", targets: ["pagepipe"]),
        .executable(name: "pagepipe-dev", targets: ["pagepipe-dev"]),
        .library(name: "PagePipe", targets: ["PagePipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libxml2 and zlib from the system (Debian: libxml2-dev, zlib1g-dev).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev", "zlib1g-dev"])]
        ),
        // The only Swift that touches C: parsing into a Swift-owned tree, gzip.
        .target(name: "HTML", dependencies: ["CLibXML2"]),
        .target(
            name: "PagePipe",
            dependencies: [
                "HTML",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")]
        ),
        // Training and evaluation code only the developer tools use; it reaches
        // into the product library through `package` access, never `public`.
        .target(name: "PagePipeTools", dependencies: ["PagePipe"]),
        .executableTarget(
            name: "pagepipe",
            dependencies: [
                "PagePipe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Developer tools: training models, evaluations against ../shared, benchmarks.
        .executableTarget(
            name: "pagepipe-dev",
            dependencies: [
                "PagePipe",
                "PagePipeTools",
                "HTML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer harness over the default chain's stages; see scripts/fuzz.sh.
        // Built normally it is a replayer that runs the files it is given.
        .executableTarget(name: "pagepipe-fuzz", dependencies: ["PagePipe"]),
        .testTarget(
            name: "PagePipeTests",
            dependencies: ["PagePipe", "PagePipeTools", "HTML"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
