/// Why a token file could not be read. `APIToken.resolve` tells "not present" apart from
/// "present but unreadable" so the operator knows whether to create the file or fix its
/// permissions. A `readFile` function given to `resolve` should throw these.
public enum TokenFileError: Error, Sendable, Hashable {
    /// No file at that path.
    case notFound
    /// Something is there but could not be read (permissions, a directory, bad encoding).
    case unreadable(reason: String)
}
