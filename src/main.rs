//! The `veche` binary: parse the command line, start logging, run the command.
//! Everything else lives in the library so tests reuse the real wiring.

use clap::Parser;

// mimalloc: request handling allocates many small short-lived values, which
// it serves markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    veche::app::no_huge_pages();
    let cli = veche::cli::Cli::parse();
    veche::telemetry::init(&cli.config.log, cli.config.log_format);
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("veche: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
