//! The `docket` binary: parse the command line, set up logging, and hand
//! over to the library.
use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: loading a large config is mostly
/// allocating small strings, and mimalloc makes `docket upcoming` on
/// 100,000 cases markedly faster and returns freed memory to the system,
/// which keeps the daemon's idle RSS low after a reload (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    docket::logging::init();
    ExitCode::from(docket::app::run(cli))
}
