//! The `docket` binary: parse the command line, set up logging, hand over
//! to the library, and print a failure once with its exit code.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    docket::logging::init();
    match docket::app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
