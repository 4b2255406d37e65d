//! The `docket` binary: parse the command line and hand over to the library.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    ExitCode::from(docket::app::run(cli))
}
