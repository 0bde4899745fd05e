//! The command line: what `ringside --help` shows, and running each command.
//!
//! `serve` runs the service; `user`, `token` and `check-config` work on the same configuration and
//! database from a shell, so an admin with shell access can always recover access.

mod accounts;
mod cdr;

use crate::config::{Config, Overrides, Source};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Ringside: Music on Hold console, FastAGI/ARI bridge and CDR collector for Asterisk.
#[derive(Debug, Parser)]
#[command(name = "ringside", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Configuration file [default: ./ringside.toml when present]
    #[arg(long, short = 'c', global = true, env = "RINGSIDE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the database and generated files (overrides data_dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (overrides database.url)
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (web console, API and background collectors)
    Serve(ServeArgs),
    /// Manage console accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens for scripts
    #[command(subcommand)]
    Token(TokenCommand),
    /// Load and validate the configuration, then print the effective values (secrets redacted)
    CheckConfig,
    /// Transcode audio files into the formats Asterisk plays (16-bit mono 8/16 kHz, G.711)
    Transcode(TranscodeArgs),
    /// Call detail records
    #[command(subcommand)]
    Cdr(CdrCommand),
}

#[derive(Debug, Subcommand)]
pub enum CdrCommand {
    /// Import Master.csv files (resumable; records already stored are skipped)
    Import(CdrImportArgs),
}

#[derive(Debug, Args)]
pub struct CdrImportArgs {
    /// Master.csv files written by Asterisk's cdr_csv
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The [[asterisk]] server the records belong to [default: the only configured server]
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// Column layout: auto, 16, 17, 17u, 18, 19, 20, 20u or 21 [default: the server's cdr_columns]
    #[arg(long, value_name = "LAYOUT")]
    pub columns: Option<String>,
    /// Zone the times were written in, e.g. Europe/Berlin [default: the server's cdr_timezone, else UTC]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Hide the progress bar
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct TranscodeArgs {
    /// Audio files: WAV, MP3, FLAC or Ogg Vorbis (recognised by content, not by name)
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Folder for the output files (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Output formats, comma-separated: wav (8 kHz), wav16, sln16, ulaw, alaw
    #[arg(long, default_value = "wav,wav16,sln16,ulaw,alaw", value_name = "LIST")]
    pub formats: String,
    /// Loudness target in LUFS (true peak capped at -1 dBTP), or `off` to keep the level
    #[arg(long, default_value = "-18", allow_hyphen_values = true, value_name = "LUFS|off")]
    pub loudness: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the web console (overrides web.listen), e.g. 127.0.0.1:8080
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (asks for the password, or reads one line from stdin with --password-stdin)
    Add {
        /// User name: lower-case letters, digits, '.', '_' or '-'
        name: String,
        /// What the account may do
        #[arg(long, value_parser = ["admin", "viewer"])]
        role: String,
        /// Read the password from the first line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (ends the user's sessions)
    Passwd {
        name: String,
        /// Read the password from the first line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts
    List,
    /// Remove an account (the last admin cannot be removed)
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is shown once, alone on the last line of output
    Create {
        /// A name to recognise the token by, e.g. backup-script
        name: String,
        /// What the token may do
        #[arg(long, value_parser = ["admin", "viewer"], default_value = "viewer")]
        role: String,
    },
    /// List tokens (never their secrets)
    List,
    /// Revoke a token at once
    Revoke { name: String },
}

impl Cli {
    /// Load the configuration with this command line's overrides.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        let listen = match &self.command {
            Command::Serve(args) => args.listen,
            _ => None,
        };
        let overrides =
            Overrides { data_dir: self.data_dir.clone(), listen, database_url: self.database_url.clone() };
        let source = match &self.config {
            Some(path) => Source::Explicit(path),
            None => Source::Default,
        };
        Ok(Config::load(source, std::env::vars(), &overrides)?)
    }
}

/// Run the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.load_config()?;
    match cli.command {
        Command::Serve(_) => serve(config).await,
        Command::CheckConfig => {
            print!("{}", config.redacted());
            eprintln!("configuration is valid");
            Ok(())
        }
        Command::Transcode(args) => transcode(&args),
        Command::User(cmd) => accounts::user(&config, cmd).await,
        Command::Token(cmd) => accounts::token(&config, cmd).await,
        Command::Cdr(CdrCommand::Import(args)) => cdr::import(&config, args).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let signals = crate::app::ShutdownSignals::install().context("cannot install signal handlers")?;
    let app = crate::app::start(config).await.context("Ringside could not start")?;
    let stop = app.shutdown_token();
    tokio::spawn(async move {
        signals.recv().await;
        tracing::info!("shutting down: finishing in-flight requests");
        stop.cancel();
    });
    app.wait().await;
    Ok(())
}

/// `ringside transcode`: synchronous, needing no configuration, database or async runtime (so
/// `main` runs it before building one).
pub fn transcode(args: &TranscodeArgs) -> anyhow::Result<()> {
    use crate::audio::cli::{cli_transcode, parse_formats, parse_loudness};
    let formats = parse_formats(&args.formats)?;
    let loudness = parse_loudness(&args.loudness)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    cli_transcode(&args.inputs, &args.out, &formats, loudness)?;
    Ok(())
}
