//! `veche federation …`: the instance's key, and a check of the file.

use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum FederationCommand {
    /// Make this instance's Ed25519 key: the private key goes to `--out`
    /// (readable by its owner only; never overwritten), the public key is
    /// printed for the instance's `public_key` in the federation file.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Read VECHE_FEDERATION as this instance (VECHE_INSTANCE_ID) would,
    /// check its key (VECHE_FEDERATION_KEY), and print who owns what.
    Check,
    /// On the portal: put a department (with its units) under another
    /// portfolio. The directory's new version goes to every instance; the
    /// core that had the department moves its open orders, with their
    /// history, to the core that owns the portfolio
    /// (docs/FEDERATION-CONTROL.md).
    MoveDepartment {
        /// The department's directory id, e.g. `min-digital`.
        organisation: String,
        /// The portfolio it goes to, e.g. `vg-infrastructure`.
        #[arg(long)]
        to: String,
    },
}

pub async fn run(instance_id: &str, command: FederationCommand) -> anyhow::Result<()> {
    match command {
        FederationCommand::Keygen { out } => {
            let key = super::keys::PrivateKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(&out).map_err(|e| {
                anyhow::anyhow!(
                    "{} cannot be written ({e}); an existing key is never overwritten",
                    out.display()
                )
            })?;
            f.write_all(key.to_file_text().as_bytes())?;
            f.sync_all()?;
            println!("{}", key.public_base64());
            Ok(())
        }
        // Needs the store: `cli.rs` runs it with the configuration.
        FederationCommand::MoveDepartment { .. } => {
            anyhow::bail!("move-department is run by the command line with its configuration")
        }
        FederationCommand::Check => {
            let f = super::Federation::from_env(instance_id)?.ok_or_else(|| {
                anyhow::anyhow!(
                    "VECHE_FEDERATION is not set: this is a single-instance installation"
                )
            })?;
            println!(
                "this instance: {} ({}), its key matches the file",
                f.this().id,
                f.this().role.as_str()
            );
            for i in f.instances() {
                println!(
                    "{:<24} {:<8} {:<40} {}{}",
                    i.id,
                    i.role.as_str(),
                    i.url,
                    i.portfolios.join(", "),
                    if i.fallback {
                        " (and organisations outside every portfolio)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
    }
}
