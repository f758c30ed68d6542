import MuxLoadKit
#if canImport(Glibc)
import Glibc
#endif

exit(LoadCommand.main(Array(CommandLine.arguments.dropFirst())))
