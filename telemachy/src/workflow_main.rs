//! `__workflow_main!`, through which `workflow!` emits a workflow's `main()`: the command
//! line exists only with the `cli` feature, so without it the macro emits nothing and the
//! workflow's module is a library (`spec()`, `run()`, the key constants) with no command line.

/// Emits `fn main() -> std::process::ExitCode`, which runs the command line
/// ([`cli::main`](crate::cli::main)) for the workflow `$spec` evaluates to. Used by the
/// expansion of [`workflow!`](crate::workflow); not part of the public API.
#[cfg(feature = "cli")]
#[doc(hidden)]
#[macro_export]
macro_rules! __workflow_main {
    ($(#[$attr:meta])* $vis:vis fn main() { $spec:expr }) => {
        $(#[$attr])*
        $vis fn main() -> ::std::process::ExitCode {
            $crate::cli::main($spec)
        }
    };
}

/// Without the `cli` feature there is no command line, hence no `main()` to emit.
#[cfg(not(feature = "cli"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __workflow_main {
    ($(#[$attr:meta])* $vis:vis fn main() { $spec:expr }) => {};
}
