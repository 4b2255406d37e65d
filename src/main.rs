//! The `docket` binary: parse the command line, set up logging, and hand
//! over to the library.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    docket::logging::init();
    ExitCode::from(docket::app::run(cli))
}
