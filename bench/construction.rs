//! The construction registries under load:
//!
//! 1. import of a 50,000-row spreadsheet of illegal constructions with
//!    `veche import-constructions` (a child process, as an operator runs
//!    it): rows per second, and the process's peak memory (maximum resident
//!    set, from the kernel's accounting of the child), on SQLite and on
//!    PostgreSQL;
//! 2. the PDF report of 1,000 objects: time and file size (the file is
//!    kept as `target/bench-construction.pdf` to look at).
//!
//! Each import is shown next to its peers measured in the same run: reading
//! the sheet alone (calamine, in process) and the same import with
//! `--dry-run` (read, checked, matched against the registry, nothing
//! written).
//!
//! Run: `cargo bench --bench construction` (QUICK=1 for 10,000 rows;
//! BENCH_VECHE_BIN=path to measure another build of `veche` with the same
//! harness). The sheet is kept as `target/bench-construction.xlsx`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use rand::Rng;
use support::quick;

/// A spreadsheet as the authorities keep them: one row per building, at
/// the centres of the municipalities with a little spread.
fn spreadsheet(rows: usize) -> Vec<u8> {
    let all = veche::geo::geography().all();
    support::registry(
        rows,
        &[
            "Кадастровый номер",
            "Правообладатель",
            "Этажность",
            "Дата выявления",
            "Статус",
        ],
        |rng, _| &all[rng.random_range(0..all.len())],
        |ws, r| {
            let i = r as usize;
            ws.write_string(r, 0, format!("Самовольная постройка № {i}"))
                .unwrap();
            ws.write_string(r, 4, format!("23:{:02}:{:07}:{}", i % 50, i, i % 97))
                .unwrap();
            ws.write_string(r, 5, "ООО «Застройщик»").unwrap();
            ws.write_number(r, 6, (i % 9 + 1) as f64).unwrap();
            ws.write_string(r, 7, format!("{:02}.{:02}.2025", i % 28 + 1, i % 12 + 1))
                .unwrap();
            ws.write_string(
                r,
                8,
                if i.is_multiple_of(10) {
                    "снесено"
                } else {
                    "выявлено"
                },
            )
            .unwrap();
        },
    )
}

/// Runs a command to its end; returns its exit status, its output (from a
/// file, so a long report cannot block on a pipe) and its own peak resident
/// set in MiB (the kernel's accounting for that one child, from `wait4`).
fn run_measured(mut cmd: std::process::Command) -> (bool, String, f64) {
    let out = tempfile::NamedTempFile::new().unwrap();
    cmd.stdout(out.reopen().unwrap())
        .stderr(out.reopen().unwrap());
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes into the values we own; the child is ours.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    std::mem::forget(child);
    let text = std::fs::read_to_string(out.path()).unwrap_or_default();
    (ok, text, usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    let rows = if quick() { 10_000 } else { 50_000 };
    let rt = support::runtime();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("samostroi.xlsx");
    let t = Instant::now();
    let bytes = spreadsheet(rows);
    std::fs::write(&file, &bytes).unwrap();
    println!(
        "spreadsheet of {rows} rows: {:.1} MB, written in {:.1} s",
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    // Kept to profile the import with (`perf record … veche import-constructions`).
    std::fs::write("target/bench-construction.xlsx", &bytes).unwrap();
    // The peer: reading the sheet alone (calamine, in this process), the
    // floor under any import of it.
    let t = Instant::now();
    let (_, body, _) = veche::construction::import::read_sheet(&file).unwrap();
    let read_secs = t.elapsed().as_secs_f64();
    assert_eq!(body.len(), rows);
    drop(body);
    println!(
        "reading the sheet alone (calamine): {read_secs:.2} s = {:.0} rows/s",
        rows as f64 / read_secs
    );
    // Another build of `veche` to measure with the same harness (the code
    // before a change, kept aside): BENCH_VECHE_BIN=/path/to/veche.
    let bin =
        std::env::var("BENCH_VECHE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_veche").to_owned());
    if bin != env!("CARGO_BIN_EXE_veche") {
        println!("veche: {bin}");
    }
    let mut sqlite_dir = None;
    for backend in support::BACKENDS {
        let dir = tempfile::tempdir().unwrap();
        let Some(url) = rt.block_on(support::database(backend)) else {
            continue;
        };
        let veche = || {
            let mut c = std::process::Command::new(&bin);
            c.args(["--data-dir", dir.path().to_str().unwrap()])
                .env("VECHE_LOG", "warn")
                .env("VECHE_DEMO_REGION", "false");
            match &url {
                Some(u) => c.env("DATABASE_URL", u),
                None => c.env_remove("DATABASE_URL"),
            };
            c
        };
        // Migrate and load the demo content first, so the import is timed alone.
        assert!(veche().arg("reindex").status().unwrap().success());
        // The same run without writing (--dry-run): reading, checking and
        // matching against the registry.
        let mut cmd = veche();
        cmd.args(["import-constructions", "--dry-run", file.to_str().unwrap()]);
        let t = Instant::now();
        let (ok, output, _) = run_measured(cmd);
        let dry = t.elapsed().as_secs_f64();
        assert!(ok, "{output}");
        let mut cmd = veche();
        cmd.args(["import-constructions", file.to_str().unwrap()]);
        let t = Instant::now();
        let (ok, output, peak) = run_measured(cmd);
        let secs = t.elapsed().as_secs_f64();
        assert!(ok, "{output}");
        let summary = output.lines().last().unwrap_or_default().to_owned();
        println!(
            "{backend}: {rows} rows checked and written in one transaction in {secs:.1} s = {:.0} rows/s; peak memory of the import process {peak:.0} MiB; {summary}",
            rows as f64 / secs,
        );
        println!(
            "{backend}: the same without writing (--dry-run: read, checked, matched) {dry:.1} s = {:.0} rows/s; the import takes {:.1}× the dry run, {:.1}× reading the sheet alone",
            rows as f64 / dry,
            secs / dry,
            secs / read_secs,
        );
        support::figure(
            &format!(
                "construction {}: import of {rows} spreadsheet rows",
                support::backend_key(backend)
            ),
            rows as f64 / secs,
            "rows/s",
            "the same import with --dry-run (read, checked, matched, nothing written)",
            rows as f64 / dry,
            support::Better::Higher,
        );
        if backend == "SQLite" {
            sqlite_dir = Some(dir);
        }
    }

    // The PDF report of 1,000 objects from the imported registry.
    let Some(dir) = sqlite_dir else { return };
    rt.block_on(async {
        let mut cli = <veche::cli::Cli as clap::Parser>::try_parse_from([
            "veche",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--log",
            "warn",
        ])
        .unwrap();
        cli.config.database_url = None;
        let state = veche::app::AppState::build_shared(cli.config).await.unwrap();
        let objects = veche::construction::queries::list(
            &state.db,
            &veche::construction::queries::Filter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(objects.len(), 1000);
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..if quick() { 2 } else { 5 } {
            let t = Instant::now();
            let pdf = veche::construction::pdf::render(
                veche::web::i18n::Locale::Ru,
                "Реестр самовольных построек",
                "Все объекты",
                &objects,
            )
            .unwrap();
            times.push(t.elapsed().as_secs_f64());
            size = pdf.len();
            std::fs::write("target/bench-construction.pdf", &pdf).unwrap();
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "PDF report of 1,000 objects (title page with the map, 27 table pages): median {:.0} ms, best {:.0} ms, {:.2} MB (target/bench-construction.pdf)",
            times[times.len() / 2] * 1000.0,
            times[0] * 1000.0,
            size as f64 / 1e6
        );
        support::figure(
            "construction: PDF report of 1,000 objects, median",
            times[times.len() / 2] * 1000.0,
            "ms",
            "-",
            f64::NAN,
            support::Better::Lower,
        );
    });
}
