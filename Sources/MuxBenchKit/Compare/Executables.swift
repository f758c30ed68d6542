// The mux-server and mux-load of a folder (a build's bin folder, or binaries copied anywhere):
// how `ab` measures two builds with one collector.
import Foundation

extension MeasuredBinaries {
    /// The two executables in `directory`, labelled `commit` in the rows, or why not.
    public static func inDirectory(_ directory: String, commit: String) -> Result<MeasuredBinaries, UsageProblem> {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let found = MeasuredBinaries(server: base + "/mux-server", load: base + "/mux-load", commit: commit)
        for path in [found.server, found.load] where !FileManager.default.isExecutableFile(atPath: path) {
            return .failure(UsageProblem("\(path): no such executable (the folder must hold mux-server and mux-load)"))
        }
        return .success(found)
    }
}
