//! Three docker agents each audit one microservice; a lead agent aggregates their findings
//! into an executive report.
//!
//! A port of the Python tool's `fleet-deploy.yaml` (workflow `fleet-security-analysis`),
//! with the same names, so the same keys. `main` is the command line every
//! workflow binary gets; with no `AGAMEMNON_URL` it runs on the embedded simulator:
//!
//! ```sh
//! cargo run --example fleet_security             # run it
//! cargo run --example fleet_security -- plan     # what it would create, with keys
//! cargo run --example fleet_security -- --help
//! ```

include!("support/fleet_security.rs");

fn main() -> std::process::ExitCode {
    fleet_security::main()
}
