// Which mux-server and mux-load a run starts. By default the ones beside this mux-bench; `ab`
// passes each build's own, so two builds can be measured by one collector.
import Foundation

public struct Executables: Equatable, Sendable {
    public var server: String
    public var load: String

    public init(server: String, load: String) {
        self.server = server
        self.load = load
    }

    /// The mux-server and mux-load beside the running mux-bench.
    public static func beside() -> Executables {
        Executables(server: siblingExecutable("mux-server"), load: siblingExecutable("mux-load"))
    }

    /// The two executables in `directory` (a build's bin folder, or binaries copied anywhere), or
    /// why not.
    public static func inDirectory(_ directory: String) -> Result<Executables, UsageProblem> {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let found = Executables(server: base + "/mux-server", load: base + "/mux-load")
        for path in [found.server, found.load] where !FileManager.default.isExecutableFile(atPath: path) {
            return .failure(UsageProblem("\(path): no such executable (the folder must hold mux-server and mux-load)"))
        }
        return .success(found)
    }
}
