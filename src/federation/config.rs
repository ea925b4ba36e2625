//! `deploy/federation.toml`: read under limits, parsed with `toml` and
//! serde, then checked as a whole (one portal, at most one control, a
//! portfolio owned once, keys that are keys), each mistake named with the
//! instance it is in.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::{MAX_FILE_BYTES, MAX_INSTANCES, MAX_PORTFOLIOS};

/// What an instance does in the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The public portal and the directory's master.
    Portal,
    /// A project-management core for some portfolios.
    Core,
    /// The Department of Control: reads every core, writes to none.
    Control,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Portal => "portal",
            Role::Core => "core",
            Role::Control => "control",
        }
    }
}

/// One `[[instance]]` of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// The instance's `VECHE_INSTANCE_ID`, and the partner id others know
    /// it by: lower-case letters, digits and `-`, at most 64.
    pub id: String,
    /// Shown to administrators (the partner's name); the id when absent.
    #[serde(default)]
    pub name: String,
    pub role: Role,
    /// Where it serves, `http(s)://host[:port]` (its messages endpoint is
    /// `{url}/api/v1/integration/messages`).
    pub url: String,
    /// A core's portfolios: directory ids (`vg-economy`, …).
    #[serde(default)]
    pub portfolios: Vec<String>,
    /// The one core that takes organisations outside every portfolio
    /// (municipalities, the governor's office itself).
    #[serde(default)]
    pub fallback: bool,
    /// Its Ed25519 public key, base64 of 32 bytes (`veche federation
    /// keygen` prints it).
    pub public_key: String,
}

impl Instance {
    /// The partner name shown on `/admin/integration`.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    /// Where messages for it are posted.
    pub fn messages_url(&self) -> String {
        format!(
            "{}/api/v1/integration/messages",
            self.url.trim_end_matches('/')
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    instance: Vec<Instance>,
}

/// The file's text, refused when larger than [`MAX_FILE_BYTES`] or not
/// UTF-8.
pub fn read_limited(path: &Path) -> anyhow::Result<String> {
    let f = std::fs::File::open(path).map_err(|e| {
        anyhow::anyhow!(
            "the federation file {} (VECHE_FEDERATION) cannot be read: {e}",
            path.display()
        )
    })?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    anyhow::ensure!(
        bytes.len() as u64 <= MAX_FILE_BYTES,
        "the federation file {} is larger than {} KiB",
        path.display(),
        MAX_FILE_BYTES / 1024
    );
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the federation file {} is not UTF-8", path.display()))
}

/// Parses and checks the file's text.
pub fn parse(text: &str) -> Result<Vec<Instance>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let instances = file.instance;
    if instances.is_empty() {
        return Err("no [[instance]] is listed".into());
    }
    if instances.len() > MAX_INSTANCES {
        return Err(format!(
            "{} instances; at most {MAX_INSTANCES} are accepted",
            instances.len()
        ));
    }
    for (n, i) in instances.iter().enumerate() {
        check_instance(i).map_err(|e| format!("instance {} (“{}”): {e}", n + 1, i.id))?;
    }
    let mut ids = std::collections::BTreeSet::new();
    for i in &instances {
        if !ids.insert(i.id.as_str()) {
            return Err(format!("the id “{}” is given twice", i.id));
        }
    }
    let count = |r: Role| instances.iter().filter(|i| i.role == r).count();
    if count(Role::Portal) != 1 {
        return Err(format!(
            "exactly one instance has role = \"portal\"; found {}",
            count(Role::Portal)
        ));
    }
    if count(Role::Control) > 1 {
        return Err("at most one instance has role = \"control\"".into());
    }
    if instances.iter().filter(|i| i.fallback).count() > 1 {
        return Err("at most one core has fallback = true".into());
    }
    let mut owned: std::collections::BTreeMap<&str, &str> = Default::default();
    for i in &instances {
        for p in &i.portfolios {
            if let Some(other) = owned.insert(p.as_str(), i.id.as_str()) {
                return Err(format!(
                    "the portfolio “{p}” is given to both “{other}” and “{}”",
                    i.id
                ));
            }
        }
    }
    Ok(instances)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn check_instance(i: &Instance) -> Result<(), String> {
    if !is_id(&i.id) || i.id == crate::integration::exchange::LOCAL {
        return Err("id: lower-case letters, digits, - and _, at most 64, and not “local”".into());
    }
    if i.name.chars().count() > 200 {
        return Err("name: at most 200 characters".into());
    }
    let url = url::Url::parse(&i.url).map_err(|_| format!("url “{}” cannot be read", i.url))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("url “{}”: http(s)://host[:port]", i.url));
    }
    match i.role {
        Role::Core => {}
        _ if !i.portfolios.is_empty() || i.fallback => {
            return Err(format!(
                "only a core has portfolios or fallback; this one is a {}",
                i.role.as_str()
            ));
        }
        _ => {}
    }
    if i.portfolios.len() > MAX_PORTFOLIOS {
        return Err(format!("at most {MAX_PORTFOLIOS} portfolios"));
    }
    if let Some(p) = i.portfolios.iter().find(|p| !is_id(p)) {
        return Err(format!("portfolio “{p}” is not a directory id"));
    }
    super::keys::public_key(&i.public_key).map_err(|e| format!("public_key: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    fn file(extra: &str) -> String {
        format!(
            r#"
[[instance]]
id = "portal"
role = "portal"
url = "https://veche.example"
public_key = "{KEY}"

[[instance]]
id = "core-economy"
role = "core"
url = "http://10.0.0.2:8080"
portfolios = ["vg-economy", "vg-finance"]
fallback = true
public_key = "{KEY}"
{extra}"#
        )
    }

    #[test]
    fn a_region_is_read() {
        let v = parse(&file("")).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].role, Role::Core);
        assert_eq!(v[1].portfolios, ["vg-economy", "vg-finance"]);
        assert_eq!(
            v[1].messages_url(),
            "http://10.0.0.2:8080/api/v1/integration/messages"
        );
        let f = super::super::Federation::new(v, "portal").unwrap();
        assert_eq!(f.this().id, "portal");
        assert_eq!(f.portal().id, "portal");
        assert!(f.control().is_none());
        assert_eq!(
            f.owner_of_portfolio("vg-finance").unwrap().id,
            "core-economy"
        );
        assert!(f.owner_of_portfolio("vg-social").is_none());
        assert!(super::super::Federation::new(parse(&file("")).unwrap(), "nobody").is_err());
    }

    #[test]
    fn mistakes_are_named() {
        let bad = |extra: &str, says: &str| {
            let e = parse(&file(extra)).unwrap_err();
            assert!(e.contains(says), "{e} should say {says}");
        };
        bad(
            &format!(
                "[[instance]]\nid = \"core-2\"\nrole = \"core\"\nurl = \"http://x\"\nportfolios = [\"vg-economy\"]\npublic_key = \"{KEY}\"\n"
            ),
            "given to both",
        );
        bad(
            &format!(
                "[[instance]]\nid = \"portal\"\nrole = \"control\"\nurl = \"http://x\"\npublic_key = \"{KEY}\"\n"
            ),
            "given twice",
        );
        bad(
            &format!(
                "[[instance]]\nid = \"p2\"\nrole = \"portal\"\nurl = \"http://x\"\npublic_key = \"{KEY}\"\n"
            ),
            "exactly one",
        );
        bad(
            "[[instance]]\nid = \"c\"\nrole = \"control\"\nurl = \"http://x\"\npublic_key = \"AAAA\"\n",
            "public_key",
        );
        bad(
            &format!(
                "[[instance]]\nid = \"c\"\nrole = \"boss\"\nurl = \"http://x\"\npublic_key = \"{KEY}\"\n"
            ),
            "boss",
        );
        bad(
            &format!(
                "[[instance]]\nid = \"c\"\nrole = \"control\"\nurl = \"ftp://x\"\npublic_key = \"{KEY}\"\n"
            ),
            "http(s)",
        );
        bad(
            &format!(
                "[[instance]]\nid = \"C D\"\nrole = \"control\"\nurl = \"http://x\"\npublic_key = \"{KEY}\"\n"
            ),
            "id:",
        );
        bad("secret = 1\n", "unknown field");
        let many: String = (0..MAX_INSTANCES)
            .map(|n| {
                format!(
                    "[[instance]]\nid = \"c{n}\"\nrole = \"control\"\nurl = \"http://x\"\npublic_key = \"{KEY}\"\n"
                )
            })
            .collect();
        assert!(parse(&file(&many)).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn the_region_file_is_valid() {
        let text = include_str!("../../deploy/federation.toml");
        let v = parse(text).unwrap();
        let f = super::super::Federation::new(v, "portal").unwrap();
        assert!(f.control().is_some());
        assert!(f.fallback_core().is_some());
        // Every portfolio of the demo directory has its core.
        for line in include_str!("../../datasets/organisations.csv").lines() {
            let cols: Vec<&str> = line.split(',').collect();
            if cols.get(2) == Some(&"portfolio") {
                assert!(f.owner_of_portfolio(cols[0]).is_some(), "{}", cols[0]);
            }
        }
    }
}
