//! The `ringside` binary: parse the command line, set up logging, run the command.

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The sandboxed transcode worker is a child of this binary: it runs before any runtime, thread
    // or log sink exists, under the resource limits its parent set.
    if std::env::args().nth(1).as_deref() == Some(ringside::audio::worker::WORKER_SUBCOMMAND) {
        let code = ringside::audio::worker::run_worker_from_stdio();
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let cli = ringside::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    if let ringside::cli::Command::Transcode(args) = &cli.command {
        return exit_code(ringside::cli::transcode(args));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    exit_code(runtime.block_on(ringside::cli::run(cli)))
}

fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
