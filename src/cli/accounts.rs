//! `ringside user …` and `ringside token …`: account and token management from a shell.

use super::{TokenCommand, UserCommand};
use crate::audit::Actor;
use crate::auth::password::Hasher;
use crate::auth::{Password, Role, TokenName, Username, accounts, tokens};
use crate::config::Config;
use crate::store::Store;
use anyhow::{Context, bail};
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create the data folder {}", config.data_dir.display()))?;
    Ok(crate::store::open(&config.database_url(), config.database.max_connections).await?)
}

fn role(text: &str) -> anyhow::Result<Role> {
    Ok(Role::parse(text)?)
}

/// Read a password: one line of stdin, or twice from the terminal without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<Password> {
    let text = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        if !std::io::stdin().is_terminal() {
            bail!("no terminal to ask for a password: pass --password-stdin and pipe it in");
        }
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    };
    Ok(Password::parse(&text)?)
}

pub async fn user(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    let store = store.as_ref();
    let actor = Actor::cli();
    let hasher = Hasher::default();
    match cmd {
        UserCommand::Add { name, role: r, password_stdin } => {
            let username = Username::parse(&name)?;
            let role = role(&r)?;
            let password = read_password(password_stdin)?;
            accounts::add(store, &hasher, &actor, &username, role, &password).await?;
            println!("added {role} {username}");
        }
        UserCommand::Passwd { name, password_stdin } => {
            let password = read_password(password_stdin)?;
            accounts::set_password(store, &hasher, &actor, &name, &password).await?;
            println!("password changed for {name}; their sessions were ended");
        }
        UserCommand::List => {
            let users = store.list_users().await?;
            if users.is_empty() {
                println!("no users yet: add the first admin with `ringside user add NAME --role admin`");
            }
            for u in users {
                println!("{:<32} {}", u.username, u.role);
            }
        }
        UserCommand::Remove { name } => {
            accounts::remove(store, &actor, &name).await?;
            println!("removed {name}");
        }
    }
    store.close().await;
    Ok(())
}

pub async fn token(config: &Config, cmd: TokenCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    let store = store.as_ref();
    let actor = Actor::cli();
    match cmd {
        TokenCommand::Create { name, role: r } => {
            let name = TokenName::parse(&name)?;
            let role = role(&r)?;
            let created = tokens::create(store, &name, role).await;
            let outcome =
                if created.is_ok() { crate::audit::Outcome::Success } else { crate::audit::Outcome::Failure };
            crate::audit::record(store, &actor, "token.create", name.as_str(), outcome, role.as_str()).await;
            let (_, secret) = created?;
            println!("created {role} token {}; it is shown only now:", name.as_str());
            println!("{secret}");
        }
        TokenCommand::List => {
            let list = store.list_tokens().await?;
            if list.is_empty() {
                println!("no tokens");
            }
            for t in list {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", crate::web::audit::utc_time(at)),
                    None => "active".into(),
                };
                let used =
                    t.last_used.map(crate::web::audit::utc_time).unwrap_or_else(|| "never used".into());
                println!("{:<32} {:<7} {:<30} {}", t.name, t.role, state, used);
            }
        }
        TokenCommand::Revoke { name } => {
            let revoked = store.revoke_token(&name, crate::auth::now_ms()).await?;
            let outcome =
                if revoked { crate::audit::Outcome::Success } else { crate::audit::Outcome::Failure };
            crate::audit::record(store, &actor, "token.revoke", &name, outcome, "").await;
            if !revoked {
                bail!("no active token named {name} (see `ringside token list`)");
            }
            println!("revoked {name}");
        }
    }
    store.close().await;
    Ok(())
}
